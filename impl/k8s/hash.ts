/**
 * Deterministic content hashes: FNV-1a (32 bit, as Kubernetes uses for `pod-template-hash`)
 * folded over a canonical walk of a JSON value (object keys sorted, `undefined` skipped,
 * dates as ISO strings), so equal content gives equal hashes whatever the key order.
 *
 * Why a Merkle-style fold and not "FNV of canonical JSON": objects are immutable and shared
 * (a materialised pod shares its containers with the template Pod), so memoising the hash
 * of every object makes hashing a pod cost its top-level keys, not its 17 KB.
 */
import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import { KUBEDIRECT_PREFIX, POD_TEMPLATE_HASH_LABEL } from './labels.js';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over the UTF-16 code units of `text`, continuing from `seed`. */
export const fnv1a = (text: string, seed: number = FNV_OFFSET): number => {
  let hash = seed;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 0;
};

/** Folds a 32-bit value into a running FNV-1a hash, byte by byte. */
const mix = (hash: number, value: number): number => {
  let h = hash;
  for (let shift = 0; shift < 32; shift += 8) {
    h ^= (value >>> shift) & 0xff;
    h = Math.imul(h, FNV_PRIME);
  }
  return h >>> 0;
};

const memo = new WeakMap<object, number>();

/** Strings hash from their own seed, so "1" and 1 differ. */
const STRING_SEED = fnv1a('"');

/** Hash of a JSON-like value; equal for equal content. Objects must not be mutated later. */
const contentHash = (value: unknown): number => {
  if (value === null || value === undefined) return fnv1a('null');
  switch (typeof value) {
    case 'string':
      return fnv1a(value, STRING_SEED);
    case 'number':
    case 'boolean':
      return fnv1a(String(value));
    case 'object':
      return objectHash(value);
    default:
      return fnv1a('null');
  }
};

const objectHash = (value: object): number => {
  const known = memo.get(value);
  if (known !== undefined) return known;
  let hash: number;
  if (value instanceof Date) hash = fnv1a(value.toISOString(), STRING_SEED);
  else if (Array.isArray(value))
    hash = value.reduce((h: number, item) => mix(h, contentHash(item)), fnv1a('['));
  else hash = fieldsHash(value as Record<string, unknown>, EMPTY);
  memo.set(value, hash);
  return hash;
};

const EMPTY: ReadonlySet<string> = new Set();

/** Hash of an object's fields, sorted by key, leaving out `skip` and undefined values. */
const fieldsHash = (
  fields: Readonly<Record<string, unknown>>,
  skip: ReadonlySet<string>,
): number => {
  let hash = fnv1a('{');
  for (const key of Object.keys(fields).sort()) {
    const field = fields[key];
    if (field === undefined || skip.has(key)) continue;
    hash = mix(fnv1a(key, hash), contentHash(field));
  }
  return hash;
};

/**
 * Kubernetes' `rand.SafeEncodeString` of the decimal hash: no vowels, no look-alike
 * characters, so a hash never spells a word and is a valid name suffix.
 */
const SAFE_ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';
export const safeEncode = (hash: number): string => {
  let out = '';
  for (const digit of String(hash))
    out += SAFE_ALPHANUMS[digit.charCodeAt(0) % SAFE_ALPHANUMS.length];
  return out;
};

/** Labels that record path or bookkeeping, not the template: never hashed. */
const isTemplateLabel = (key: string): boolean =>
  key !== POD_TEMPLATE_HASH_LABEL && !key.startsWith(KUBEDIRECT_PREFIX);

/** The pod's binding is not part of its template. */
const SPEC_FIELDS_NOT_HASHED: ReadonlySet<string> = new Set(['nodeName']);

/**
 * The template hash of protocol.md's views: spec (without nodeName) and labels (without
 * `pod-template-hash` and `kubedirect/*`). A Deployment's template, its ReplicaSet's
 * template, the template Pod and every pod materialised from it hash alike.
 */
export const templateHash = (template: Pick<V1PodTemplateSpec, 'metadata' | 'spec'>): string => {
  const labels = template.metadata?.labels ?? NO_LABELS;
  const spec = (template.spec ?? NO_SPEC) as object;
  const known = templateHashes.get(spec);
  if (known?.labels === labels) return known.hash;
  const hash = safeEncode(mix(labelsHash(labels), specHash(spec)));
  templateHashes.set(spec, { labels, hash });
  return hash;
};

const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});
const NO_SPEC = Object.freeze({});

/**
 * The last template hash per spec object, with the labels it was made with: a status update
 * or a new resourceVersion keeps the object's spec and labels, and every informer event
 * makes a view of the new object, so most template hashes are asked again of the same parts.
 */
const templateHashes = new WeakMap<object, { labels: object; hash: string }>();

const labelsHash = (labels: Readonly<Record<string, string>>): number => {
  let hash = fnv1a('labels');
  for (const key of Object.keys(labels).sort()) {
    if (isTemplateLabel(key)) hash = mix(fnv1a(key, hash), contentHash(labels[key]));
  }
  return hash;
};

const specHash = (spec: object): number =>
  fieldsHash(spec as Record<string, unknown>, SPEC_FIELDS_NOT_HASHED);

/** A deterministic UUID-shaped string, for the uids that Knative objects refer to. */
export const uuidFrom = (seed: string): string => {
  const hex = [1, 2, 3, 4].map((i) => fnv1a(`${seed}#${i}`).toString(16).padStart(8, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

/** A deterministic 64-hex-digit image digest. */
export const digestFrom = (seed: string): string =>
  Array.from({ length: 8 }, (_, i) => fnv1a(`${seed}@${i}`).toString(16).padStart(8, '0')).join('');
