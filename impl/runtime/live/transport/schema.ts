/**
 * The protocol's `Message` union (spec/types/messages.ts) as a zod schema, the way the
 * counterexample files are validated (checker/trace/schema.ts): strict objects, so a
 * misspelt or extra field is refused rather than carried into a stage. A test checks that
 * the inferred type is `Message`, field for field, so the two cannot drift apart.
 */
import { z } from 'zod';
import type { StageKind } from '../../../../spec/types/ids.js';

const STAGE_KINDS = [
  'autoscaler',
  'deployment',
  'replicaset',
  'scheduler',
  'kubelet',
] as const satisfies readonly StageKind[];

const StageIdSchema = z.union([
  z.enum(['autoscaler', 'deployment', 'replicaset', 'scheduler']),
  z.templateLiteral(['kubelet/', z.string()]),
]);

/** `<stage>#<incarnation>.<counter>` (`mintEpoch`); incarnations start at 1. */
const EPOCH = /^(.+)#([1-9]\d*)\.(\d+)$/;

export interface EpochParts {
  /** The stage that minted the epoch: always the client of its link. */
  readonly minter: string;
  readonly incarnation: number;
}

export const parseEpoch = (epoch: string): EpochParts | null => {
  const match = EPOCH.exec(epoch);
  return match ? { minter: match[1] as string, incarnation: Number(match[2]) } : null;
};

const count = z.int().nonnegative();
const key = z.string().min(1);

const envelope = {
  source: StageIdSchema,
  destination: StageIdSchema,
  epoch: z.string().regex(EPOCH, 'not an epoch (<stage>#<incarnation>.<counter>)'),
};

const CountEntrySchema = z.strictObject({
  kind: z.literal('count'),
  key,
  replicas: count,
  version: count,
});

const PodEntrySchema = z.strictObject({
  kind: z.literal('pod'),
  key,
  ownerKey: key,
  ownerUid: key,
  node: z.string().min(1).nullable(),
  templateRv: count,
});

const LinkEntrySchema = z.discriminatedUnion('kind', [CountEntrySchema, PodEntrySchema]);

/** The message types every stage kind has: `<kind>.handshake` and so on. */
const anyKind = <M extends string>(method: M) =>
  z.enum(STAGE_KINDS.map((kind): `${StageKind}.${M}` => `${kind}.${method}`));

export const MessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: anyKind('handshake'), ...envelope }),
  z.strictObject({
    type: anyKind('handshakeReply'),
    ...envelope,
    snapshot: z.array(LinkEntrySchema).readonly(),
  }),
  z.strictObject({
    type: anyKind('sync'),
    ...envelope,
    entries: z.array(LinkEntrySchema).readonly(),
    discard: z.array(z.string()).readonly(),
  }),
  z.strictObject({ type: anyKind('syncAck'), ...envelope }),
  z.strictObject({ type: z.literal('deployment.scale'), ...envelope, entry: CountEntrySchema }),
  z.strictObject({ type: z.literal('replicaset.scale'), ...envelope, entry: CountEntrySchema }),
  z.strictObject({
    type: z.literal('scheduler.schedulePods'),
    ...envelope,
    ownerKey: key,
    ownerUid: key,
    templateRv: count,
    pods: z.array(key).readonly(),
    count,
  }),
  z.strictObject({ type: z.literal('kubelet.bindPod'), ...envelope, entry: PodEntrySchema }),
  z.strictObject({ type: anyKind('epochMismatch'), ...envelope, refused: z.string() }),
  z.strictObject({ type: anyKind('notReady'), ...envelope }),
  z.strictObject({ type: z.literal('scheduler.notFound'), ...envelope, pod: key }),
]);

/** Every message type the union has, to tell an unknown type from a malformed message. */
export const MESSAGE_TYPES: ReadonlySet<string> = new Set(
  MessageSchema.options.flatMap(({ shape: { type } }) =>
    'options' in type ? type.options : [...type.values],
  ),
);

/** Replies travel server → client; their epoch is the one the client (the destination) minted. */
const REPLY_METHODS = ['handshakeReply', 'syncAck', 'epochMismatch', 'notReady', 'notFound'];

export const isReplyType = (type: string): boolean =>
  REPLY_METHODS.includes(type.slice(type.indexOf('.') + 1));
