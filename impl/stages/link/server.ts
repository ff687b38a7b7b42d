/**
 * The server (downstream) end of direct links: one current epoch per source, plus, with
 * `fence: none`, the data messages admitted and not yet applied.
 *
 *   handshake(E) ──► ready? ──no──► notReady(E)              (bottom-up recovery)
 *                      │yes
 *                      ├─ E older than the held epoch and monotoneEpochs ─► ignored
 *                      └─ install E (the fence), snapshot S_D ─► handshakeReply(E, S_D)
 *   data(E) / sync(E) ──► admit iff E is the current epoch (serverEpochCheck) ─no─► epochMismatch(E)
 *                          │yes
 *                          ├─ fence: exclusive, or a sync ─► apply now (sync: then syncAck)
 *                          └─ fence: none ─► queued; applied on the `link.apply:<source>` timer
 *
 * With `fence: exclusive` admission and application are one step, so a handshake cannot fall
 * between them: every admitted entry is in the next snapshot. With `fence: none` they are two
 * steps, exactly as the model (`spec/world/session.ts`) represents them, and a handshake may
 * fall between: its `unfinished` ghost lists the queued entries its snapshot misses.
 * A restarted server starts with no links: every data message is refused until a handshake.
 */
import type { Switches } from '../../../spec/types/config.js';
import type { Epoch, LinkId, StageId } from '../../../spec/types/ids.js';
import { epochIsOlder, linkId, sameIncarnation, stageKindOf } from '../../../spec/types/ids.js';
import type {
  DataMessage,
  Handshake,
  LinkEntry,
  Message,
  Sync,
} from '../../../spec/types/messages.js';
import { entryKeysOf, isSync } from '../../../spec/types/messages.js';
import type { StagePhase } from '../../../spec/types/observation.js';
import type { Effect, StageInput } from '../io.js';

interface ServerLink {
  readonly source: StageId;
  readonly id: LinkId;
  /** The current epoch for this source (null: none since this incarnation started). */
  readonly epoch: Epoch | null;
  /** `fence: none` only: admitted, not yet applied, oldest first. */
  readonly queued: readonly DataMessage[];
}

/** Server links by source. */
export type ServerLinks = Readonly<Partial<Record<StageId, ServerLink>>>;

/** The server links' next state and what to emit. */
interface ServerStep {
  readonly links: ServerLinks;
  readonly effects: readonly Effect[];
}

const linkFor = (links: ServerLinks, self: StageId, source: StageId): ServerLink =>
  links[source] ?? { source, id: linkId(source, self), epoch: null, queued: [] };

/** The timer that applies a queued message (`fence: none`); `sourceOfApplyTimer` reads it. */
export const applyTimer = (source: StageId): string => `link.apply:${source}`;

export const sourceOfApplyTimer = (name: string): StageId | null =>
  name.startsWith('link.apply:') ? (name.slice('link.apply:'.length) as StageId) : null;

/**
 * A server answers handshakes once it serves (bottom-up: its own downstream links are
 * connected) or, with `recovery: topDown`, as soon as its informer has synced.
 */
export const answersHandshakes = (phase: StagePhase, switches: Switches): boolean =>
  phase === 'serving' || (switches.recovery === 'topDown' && phase === 'recovering');

/** Reply `notReady(E)`: the client keeps handshaking and retries on its timer. */
export const notReady = (self: StageId, handshake: Handshake): Effect => ({
  type: 'send',
  message: {
    type: `${stageKindOf(handshake.source)}.notReady`,
    source: self,
    destination: handshake.source,
    epoch: handshake.epoch,
  },
});

/**
 * Round 1 at the server: install the epoch (unless older than the held one and
 * `monotoneEpochs`), record the `handshake` applied event and reply with the snapshot of the
 * dirty entries that came from this source. The caller checks `answersHandshakes` first.
 */
export const onHandshake = (
  links: ServerLinks,
  self: StageId,
  handshake: Handshake,
  snapshot: readonly LinkEntry[],
  switches: Switches,
): ServerStep => {
  const link = linkFor(links, self, handshake.source);
  const { epoch } = handshake;
  if (switches.monotoneEpochs && link.epoch !== null && epochIsOlder(epoch, link.epoch)) {
    return { links, effects: [] };
  }
  const keys = snapshot.map((e) => e.key);
  const pending = link.queued.flatMap(entryKeysOf);
  return {
    links: { ...links, [handshake.source]: { ...link, epoch } },
    effects: [
      {
        type: 'applied',
        event: {
          kind: 'handshake',
          link: link.id,
          epoch,
          snapshot: keys,
          unfinished: [...keys, ...pending],
        },
      },
      {
        type: 'send',
        message: {
          type: `${stageKindOf(handshake.source)}.handshakeReply`,
          source: self,
          destination: handshake.source,
          epoch,
          snapshot,
        },
      },
    ],
  };
};

export type Verdict = 'apply' | 'queued' | 'refused';

/**
 * Admission of a data message or a sync: admitted iff the source has a current epoch and
 * (switch `serverEpochCheck`) the message carries it. A refused message gets `epochMismatch`.
 * With `fence: none` an admitted data message is queued (verdict `queued`); the caller
 * applies it when `applyTimer(source)` fires (`takeQueued`). Otherwise the caller applies
 * it now, emitting `applyEvent` first (and `syncAck` after a sync).
 */
export const admit = (
  links: ServerLinks,
  self: StageId,
  message: DataMessage | Sync,
  switches: Switches,
): ServerStep & { readonly verdict: Verdict } => {
  const link = linkFor(links, self, message.source);
  const current = link.epoch;
  const matches =
    current !== null &&
    (message.epoch === current ||
      // Mutant `incarnation-only-fence`: only the client incarnation is compared.
      (!switches.fenceWholeEpoch && sameIncarnation(message.epoch, current)));
  const admitted = current !== null && (matches || !switches.serverEpochCheck);
  const event: Effect = {
    type: 'applied',
    event: {
      kind: 'admit',
      link: link.id,
      message: message.type,
      epoch: message.epoch,
      serverEpochAtAdmission: link.epoch,
      admitted,
      entries: entryKeysOf(message),
    },
  };
  if (!admitted) {
    return { links, effects: [event, mismatch(message)], verdict: 'refused' };
  }
  if (switches.fence === 'none' && !isSync(message)) {
    const queued = [...link.queued, message];
    return {
      links: { ...links, [message.source]: { ...link, queued } },
      effects: [event, { type: 'timer.set', name: applyTimer(message.source), afterMs: 0 }],
      verdict: 'queued',
    };
  }
  return { links, effects: [event], verdict: 'apply' };
};

/** `fence: none`: the oldest queued message of `source`, to apply now; re-arms the timer. */
export const takeQueued = (
  links: ServerLinks,
  source: StageId,
): ServerStep & { readonly message: DataMessage | null } => {
  const link = links[source];
  const [message, ...rest] = link?.queued ?? [];
  if (!link || !message) return { links, effects: [], message: null };
  const effects: Effect[] =
    rest.length > 0 ? [{ type: 'timer.set', name: applyTimer(source), afterMs: 0 }] : [];
  return { links: { ...links, [source]: { ...link, queued: rest } }, effects, message };
};

/** The `apply` applied event: an admitted message's entries enter the server's cache. */
export const applyEvent = (
  links: ServerLinks,
  self: StageId,
  message: DataMessage | Sync,
): Effect => ({
  type: 'applied',
  event: {
    kind: 'apply',
    link: linkId(message.source, self),
    message: message.type,
    epoch: message.epoch,
    serverEpochAtApply: links[message.source]?.epoch ?? null,
    entries: entryKeysOf(message),
  },
});

/** Round 2 applied: the link is connected at the client once this arrives. */
export const syncAck = (sync: Sync): Effect => ({
  type: 'send',
  message: {
    type: `${stageKindOf(sync.source)}.syncAck`,
    source: sync.destination,
    destination: sync.source,
    epoch: sync.epoch,
  },
});

/** The current epoch per source, for `StageReport.serverEpochs`. */
export const serverEpochs = (links: ServerLinks): Partial<Record<StageId, string>> => {
  const out: Partial<Record<StageId, string>> = {};
  for (const link of Object.values(links)) if (link?.epoch) out[link.source] = link.epoch;
  return out;
};

const mismatch = (message: Message): Effect => ({
  type: 'send',
  message: {
    type: `${stageKindOf(message.source)}.epochMismatch`,
    source: message.destination,
    destination: message.source,
    epoch: message.epoch,
    refused: message.type,
  },
});

/** A server stage's context as `admitThenApply` needs it. */
interface ServerContext {
  readonly input: StageInput;
  readonly links: ServerLinks;
}

/**
 * A data message or sync reaching a server stage: admission under the source's epoch, then,
 * when admitted for now, the stage's own `apply`. A refused or queued message applies
 * nothing here (a queued one is applied on its apply timer).
 */
export const admitThenApply = <C extends ServerContext, M extends DataMessage | Sync>(
  ctx: C,
  message: M,
  apply: (ctx: C, message: M) => { readonly context: C; readonly effects: readonly Effect[] },
): { readonly context: C; readonly effects: readonly Effect[] } => {
  const a = admit(ctx.links, ctx.input.id, message, ctx.input.config.switches);
  const admitted = { ...ctx, links: a.links };
  if (a.verdict !== 'apply') return { context: admitted, effects: a.effects };
  const applied = apply(admitted, message);
  return { context: applied.context, effects: [...a.effects, ...applied.effects] };
};
