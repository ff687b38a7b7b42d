/**
 * The key state after a step of the implementation, in one line, for traces: the load, the
 * API's pods (`name@node`, `+` Ready, `x` deleting), what each stage holds in its write-back
 * cache, sandboxes per node, and each link's client phase (`c`onnected, `h`andshaking,
 * `s`yncing, `d`isconnected). Built from the `Observation`, so it shows what the properties
 * read.
 */
import type { Observation } from '../../spec/types/observation.js';

const short = (key: string): string => key.slice(key.indexOf('/') + 1);

export const summariseObservation = (obs: Observation): string => {
  const load = Object.entries(obs.desired)
    .map(([key, n]) => `${short(key)}=${n}`)
    .join(',');
  const pods = Object.values(obs.api.pods)
    .map(
      (p) =>
        `${short(p.key)}${p.nodeName ? `@${p.nodeName}` : ''}${p.ready ? '+' : ''}${p.deleting ? 'x' : ''}`,
    )
    .join(',');
  const held = obs.stages
    .filter((s) => !s.up || s.dirty.length > 0)
    .map((s) => `${short(s.id) || s.id}:${s.up ? s.dirty.length : 'down'}`)
    .join(' ');
  const sandboxes = obs.kubelets
    .map((k) => `${k.node}${k.nodeAlive ? '' : '(lost)'}:${k.sandboxes.length}`)
    .join(' ');
  const links = obs.links
    .filter((l) => l.clientPhase !== 'connected')
    .map((l) => `${short(l.client) || l.client}>${short(l.server) || l.server}:${l.clientPhase[0]}`)
    .join(' ');
  return [
    `load ${load}`,
    `api${obs.api.up ? '' : '(down)'} [${pods}]`,
    `held ${held || '-'}`,
    `sandboxes ${sandboxes}`,
    `links ${links || 'all connected'}`,
  ].join(' | ');
};
