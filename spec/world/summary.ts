/** The key state of a world in one line, for traces. */
import type { WorldState } from './state.js';

const short = (key: string): string => key.slice(key.indexOf('/') + 1);

export const summarise = (s: WorldState): string => {
  const pods = Object.values(s.api.pods)
    .map(
      (p) =>
        `${p.key}${p.nodeName ? `@${p.nodeName}` : ''}${p.ready ? '+' : ''}${p.deleting ? 'x' : ''}`,
    )
    .join(',');
  const kubelets = Object.values(s.kubelets)
    .map((k) => `${k.node}:b${Object.keys(k.bound).length}/sb${Object.keys(k.sandboxes).length}`)
    .join(' ');
  const links = Object.values(s.links)
    .map((l) => `${short(l.client)}>${short(l.server)}:${l.phase[0]}`)
    .join(' ');
  const load = Object.entries(s.load)
    .map(([k, n]) => `${k}=${n}`)
    .join(',');
  return [
    `load ${load}`,
    `api${s.api.up ? '' : '(down)'} [${pods}]`,
    `rs req${Object.keys(s.replicaset.requested).length}`,
    `s ${Object.keys(s.scheduler.pods).length}`,
    kubelets,
    links,
    `net ${s.net.length}`,
  ].join(' | ');
};
