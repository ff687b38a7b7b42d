/**
 * Reading one frame: the body of one request, a JSON `Message`. Everything a frame says
 * about itself is checked here; what needs the receiving stage (its id, its address book,
 * the epochs it has seen) is checked by the listener.
 */
import type { z } from 'zod';
import { stageKindOf } from '../../../../spec/types/ids.js';
import type { Message } from '../../../../spec/types/messages.js';
import { isReplyType, MESSAGE_TYPES, MessageSchema, parseEpoch } from './schema.js';

export type FrameVerdict =
  | { readonly ok: true; readonly message: Message }
  | { readonly ok: false; readonly reason: 'malformed' | 'unknownType'; readonly detail: string };

const malformed = (detail: string): FrameVerdict => ({ ok: false, reason: 'malformed', detail });

/** Strict UTF-8: a body that is not text is malformed, not silently repaired. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

export const readFrame = (body: Uint8Array): FrameVerdict => {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(body));
  } catch (error) {
    return malformed(`not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return malformed('not a JSON object');
  const type = (value as { type?: unknown }).type;
  if (typeof type === 'string' && !MESSAGE_TYPES.has(type))
    return { ok: false, reason: 'unknownType', detail: `unknown message type '${type}'` };
  const parsed = MessageSchema.safeParse(value);
  if (!parsed.success) return malformed(describeIssues(parsed.error.issues));
  const wrong = envelopeError(parsed.data);
  return wrong === null ? { ok: true, message: parsed.data } : malformed(wrong);
};

/**
 * What the schema cannot say: a type is named after its receiver (`kubelet.bindPod` goes to
 * a kubelet), and an epoch is minted by the client of its link, which is the source of a
 * request and the destination of a reply.
 */
const envelopeError = (message: Message): string | null => {
  const receiver = message.type.slice(0, message.type.indexOf('.'));
  if (receiver !== stageKindOf(message.destination))
    return `a ${message.type} cannot go to ${message.destination}`;
  const client = isReplyType(message.type) ? message.destination : message.source;
  if (parseEpoch(message.epoch)?.minter !== client)
    return `epoch ${message.epoch} of a ${message.type} is not one ${client} minted`;
  return null;
};

/** `entry.replicas: Too small: expected number to be >=0`, the first three issues. */
const describeIssues = (issues: readonly z.core.$ZodIssue[]): string => {
  const shown = issues.slice(0, 3).map((issue) => {
    const where = issue.path.length === 0 ? '(top level)' : issue.path.join('.');
    return `${where}: ${issue.message}`;
  });
  const more = issues.length - shown.length;
  return `${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
};
