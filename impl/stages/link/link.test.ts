import { describe, expect, it } from 'vitest';
import { HARDENED, type Switches } from '../../../spec/types/config.js';
import type {
  BindPod,
  Handshake,
  HandshakeReply,
  PodEntry,
  Sync,
} from '../../../spec/types/messages.js';
import type { Effect } from '../io.js';
import {
  acceptReply,
  admit,
  finishRound1,
  newClientLink,
  onEpochMismatch,
  onHandshake,
  onSyncAck,
  planPodRound2,
  type ServerLinks,
  startHandshake,
  takeQueued,
  withRecreated,
} from './index.js';

const sw = (flips: Partial<Switches> = {}): Switches => ({ ...HARDENED, ...flips });
const pod = (key: string): PodEntry => ({
  kind: 'pod',
  key,
  ownerKey: 'a/rs',
  ownerUid: 'u1',
  node: 'n1',
  templateRv: 1,
});
const handshake = (epoch: string): Handshake => ({
  type: 'kubelet.handshake',
  source: 'scheduler',
  destination: 'kubelet/n1',
  epoch,
});
const bind = (key: string, epoch: string): BindPod => ({
  type: 'kubelet.bindPod',
  source: 'scheduler',
  destination: 'kubelet/n1',
  epoch,
  entry: pod(key),
});
const applied = (effects: readonly Effect[]) =>
  effects.flatMap((e) => (e.type === 'applied' ? [e.event] : []));
const sent = (effects: readonly Effect[]) =>
  effects.flatMap((e) => (e.type === 'send' ? [e.message] : []));

describe('client link', () => {
  it('mints <stage>#<incarnation>.<counter> and handshakes', () => {
    const s = startHandshake(newClientLink('scheduler', 'kubelet/n1'), 2, 3);
    expect(s.link).toMatchObject({ phase: 'handshaking', epoch: 'scheduler#2.3' });
    expect(sent(s.effects)[0]).toMatchObject({ type: 'kubelet.handshake', epoch: 'scheduler#2.3' });
  });

  it('ignores a reply with another epoch unless clientReplyCheck is off', () => {
    const { link } = startHandshake(newClientLink('scheduler', 'kubelet/n1'), 1, 2);
    const reply: HandshakeReply = {
      type: 'scheduler.handshakeReply',
      source: 'kubelet/n1',
      destination: 'scheduler',
      epoch: 'scheduler#1.1',
      snapshot: [],
    };
    expect(acceptReply(link, reply, sw()).accepted).toBe(false);
    expect(acceptReply(link, reply, sw({ clientReplyCheck: false })).accepted).toBe(true);
  });

  it('syncs, connects on syncAck, and drops to disconnected on epochMismatch', () => {
    const { link } = startHandshake(newClientLink('scheduler', 'kubelet/n1'), 1, 1);
    const synced = finishRound1(link, { ...planPodRound2(emptyInput()).plan });
    expect(synced.link.phase).toBe('syncing');
    expect(applied(synced.effects)[0]).toMatchObject({ kind: 'sync', epoch: 'scheduler#1.1' });
    const ack = { type: 'scheduler.syncAck', source: 'kubelet/n1', destination: 'scheduler' };
    const connected = onSyncAck(synced.link, { ...ack, epoch: 'scheduler#1.1' } as never).link;
    expect(connected.phase).toBe('connected');
    const refusal = { ...ack, type: 'scheduler.epochMismatch', refused: 'kubelet.bindPod' };
    expect(
      onEpochMismatch(connected, { ...refusal, epoch: 'scheduler#0.9' } as never),
    ).toMatchObject({ rehandshake: false });
    expect(
      onEpochMismatch(connected, { ...refusal, epoch: 'scheduler#1.1' } as never),
    ).toMatchObject({ rehandshake: true, link: { phase: 'disconnected' } });
  });

  it('connects straight after the reply with round2: none', () => {
    const { link } = startHandshake(newClientLink('scheduler', 'kubelet/n1'), 1, 1);
    expect(finishRound1(link, null).link.phase).toBe('connected');
  });
});

const emptyInput = () => ({
  snapshot: [],
  held: [],
  holds: () => false,
  informerShows: () => false,
  persisted: () => false,
  lostIdentity: 'recreate' as const,
});

describe('server link', () => {
  it('a handshake installs the epoch and replies with the snapshot', () => {
    const s = onHandshake({}, 'kubelet/n1', handshake('scheduler#1.1'), [pod('a/p1')], sw());
    expect(s.links.scheduler?.epoch).toBe('scheduler#1.1');
    expect(applied(s.effects)[0]).toMatchObject({ kind: 'handshake', snapshot: ['a/p1'] });
    expect(sent(s.effects)[0]).toMatchObject({ type: 'scheduler.handshakeReply' });
  });

  it('an older handshake is ignored only with monotoneEpochs', () => {
    const held = onHandshake({}, 'kubelet/n1', handshake('scheduler#1.2'), [], sw()).links;
    const older = handshake('scheduler#1.1');
    expect(onHandshake(held, 'kubelet/n1', older, [], sw()).links.scheduler?.epoch).toBe(
      'scheduler#1.2',
    );
    const opaque = onHandshake(held, 'kubelet/n1', older, [], sw({ monotoneEpochs: false }));
    expect(opaque.links.scheduler?.epoch).toBe('scheduler#1.1');
  });

  it('refuses stale-epoch data with epochMismatch unless serverEpochCheck is off', () => {
    const links = onHandshake({}, 'kubelet/n1', handshake('scheduler#1.2'), [], sw()).links;
    const stale = admit(links, 'kubelet/n1', bind('a/p1', 'scheduler#1.1'), sw());
    expect(stale.verdict).toBe('refused');
    expect(sent(stale.effects)[0]).toMatchObject({ type: 'scheduler.epochMismatch' });
    expect(applied(stale.effects)[0]).toMatchObject({ kind: 'admit', admitted: false });
    const unchecked = admit(
      links,
      'kubelet/n1',
      bind('a/p1', 'scheduler#1.1'),
      sw({ serverEpochCheck: false }),
    );
    expect(unchecked.verdict).toBe('apply');
  });

  it('a restarted server (no epoch) refuses every data message', () => {
    expect(admit({}, 'kubelet/n1', bind('a/p1', 'scheduler#1.1'), sw()).verdict).toBe('refused');
  });

  it('fence none: admission and apply are two steps, and a handshake between them misses the entry', () => {
    const links: ServerLinks = onHandshake(
      {},
      'kubelet/n1',
      handshake('scheduler#1.1'),
      [],
      sw(),
    ).links;
    const a = admit(links, 'kubelet/n1', bind('a/p1', 'scheduler#1.1'), sw({ fence: 'none' }));
    expect(a.verdict).toBe('queued');
    const h = onHandshake(
      a.links,
      'kubelet/n1',
      handshake('scheduler#1.2'),
      [],
      sw({ fence: 'none' }),
    );
    expect(applied(h.effects)[0]).toMatchObject({ snapshot: [], unfinished: ['a/p1'] });
    expect(takeQueued(h.links, 'scheduler').message).toMatchObject({ entry: { key: 'a/p1' } });
    const exclusive = admit(links, 'kubelet/n1', bind('a/p1', 'scheduler#1.1'), sw());
    expect(exclusive.verdict).toBe('apply');
  });

  it('a sync is applied at once even with fence none', () => {
    const links = onHandshake({}, 'kubelet/n1', handshake('scheduler#1.1'), [], sw()).links;
    const sync: Sync = {
      type: 'kubelet.sync',
      source: 'scheduler',
      destination: 'kubelet/n1',
      epoch: 'scheduler#1.1',
      entries: [],
      discard: [],
    };
    expect(admit(links, 'kubelet/n1', sync, sw({ fence: 'none' })).verdict).toBe('apply');
  });
});

describe('round 2', () => {
  const input = {
    ...emptyInput(),
    snapshot: [pod('a/reported'), pod('a/both'), pod('a/orphan')],
    held: [pod('a/both'), pod('a/lost'), pod('a/persisted')],
    holds: (k: string) => k === 'a/both' || k === 'a/lost' || k === 'a/persisted',
    persisted: (k: string) => k === 'a/persisted',
    ownerGone: (e: PodEntry) => e.key === 'a/orphan',
  };

  it('adopts what only the server holds, discards orphans, forgets the lost (recreate)', () => {
    const r = planPodRound2(input);
    expect(r.plan.adopted).toEqual(['a/reported']);
    expect(r.plan.discard).toEqual(['a/orphan']);
    expect(r.plan.forgotten).toEqual(['a/lost']);
    expect(r.plan.resent).toEqual([]);
    expect(withRecreated(r.plan, [pod('a/fresh')]).recreated).toEqual(['a/fresh']);
  });

  it('re-sends the lost identity with lostIdentity: reuse', () => {
    const r = planPodRound2({ ...input, lostIdentity: 'reuse' });
    expect(r.plan.resent).toEqual(['a/lost']);
    expect(r.plan.entries.map((e) => e.key)).toEqual(['a/lost']);
    expect(r.lost).toEqual([]);
  });

  it('does not adopt what the informer already shows', () => {
    const r = planPodRound2({ ...input, informerShows: (k) => k === 'a/reported' });
    expect(r.plan.adopted).toEqual([]);
  });
});
