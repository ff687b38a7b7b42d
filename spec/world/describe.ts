/** One-line descriptions of messages, for action labels and traces. */

import type { Message } from '../types/messages.js';
import { entryKeysOf } from '../types/messages.js';
import { canon } from './key.js';

const short = (stage: string): string => stage.replace('kubelet/', 'k/');

/**
 * Memoised per message: messages are frozen, and every state a message is in flight in
 * labels its delivery (and its drop and duplicate) with this.
 */
export const describe = (m: Message): string => {
  let out = descriptions.get(m);
  if (out === undefined) {
    out = describeUncached(m);
    descriptions.set(m, out);
  }
  return out;
};

const descriptions = new WeakMap<Message, string>();

const describeUncached = (m: Message): string => {
  const keys = entryKeysOf(m);
  const extra = 'snapshot' in m ? ` snapshot=[${m.snapshot.map((e) => e.key).join(',')}]` : '';
  const payload = keys.length > 0 ? ` [${keys.join(',')}]` : '';
  const version =
    'entry' in m && m.entry.kind === 'count' ? ` ${m.entry.replicas}@v${m.entry.version}` : '';
  return `${m.type} ${short(m.source)}->${short(m.destination)} e=${m.epoch}${payload}${version}${extra}`;
};

/** Distinct messages in flight with the index of their first copy (copies behave alike). */
export const distinctMessages = (net: readonly Message[]): [number, Message][] => {
  const seen = new Set<string>();
  const out: [number, Message][] = [];
  net.forEach((m, i) => {
    const c = canon(m);
    if (seen.has(c)) return;
    seen.add(c);
    out.push([i, m]);
  });
  return out;
};
