/**
 * `metadata.managedFields`: the field-ownership record the API Server keeps on every object
 * (server-side apply's FieldsV1 format). Real pods carry it, and it is a large part of their
 * size, so the builders attach one entry for the writer that created the object.
 *
 * The field set is derived from the object itself: every set field becomes `f:<name>`,
 * items of keyed lists become `k:{"<key>":<value>}` with a `.` marker, maps get a `.` marker.
 * Field sets of shared sub-objects (a template's spec) are memoised, so every pod of a
 * ReplicaSet shares one.
 */
import type { V1ManagedFieldsEntry, V1ObjectMeta } from '@kubernetes/client-node';

type FieldSet = { [field: string]: FieldSet };

/** Lists merged by key (strategic merge patch), and the fields that make the key. */
const LIST_KEYS: Readonly<Record<string, readonly string[]>> = {
  containers: ['name'],
  initContainers: ['name'],
  env: ['name'],
  ports: ['containerPort', 'protocol'],
  volumeMounts: ['mountPath'],
  volumes: ['name'],
  conditions: ['type'],
  ownerReferences: ['uid'],
};

/** Fields whose value is a map (string keys chosen by the user), owned as a whole too. */
const MAP_FIELDS: ReadonlySet<string> = new Set([
  'labels',
  'annotations',
  'limits',
  'requests',
  'nodeSelector',
  'matchLabels',
  'capacity',
  'allocatable',
]);

const memo = new WeakMap<object, FieldSet>();
const LEAF: FieldSet = Object.freeze({}) as FieldSet;

/** Memoised by object: a shared object always sits under the same field name. */
const fieldSetOf = (value: unknown, field: string): FieldSet => {
  if (value === null || typeof value !== 'object' || value instanceof Date) return LEAF;
  const known = memo.get(value);
  if (known !== undefined) return known;
  const set = Array.isArray(value) ? listFieldSet(value, field) : objectFieldSet(value, field);
  memo.set(value, set);
  return set;
};

const objectFieldSet = (value: object, field: string): FieldSet => {
  const set: FieldSet = MAP_FIELDS.has(field) ? { '.': LEAF } : {};
  for (const [key, child] of Object.entries(value)) {
    if (child !== undefined) set[`f:${key}`] = fieldSetOf(child, key);
  }
  return set;
};

/** Keyed lists own each item by key; other lists are atomic (owned as one leaf). */
const listFieldSet = (items: readonly unknown[], field: string): FieldSet => {
  const keys = LIST_KEYS[field];
  if (!keys) return LEAF;
  const set: FieldSet = {};
  for (const item of items) {
    const record = item as Record<string, unknown>;
    const key: Record<string, unknown> = {};
    for (const k of keys) key[k] = record[k];
    set[`k:${JSON.stringify(key)}`] = { '.': LEAF, ...fieldSetOf(item, '') };
  }
  return set;
};

/** The metadata fields a writer owns (identity and server-managed fields excluded). */
const OWNED_METADATA: readonly (keyof V1ObjectMeta)[] = [
  'generateName',
  'labels',
  'annotations',
  'ownerReferences',
];

interface ManagedSections {
  readonly metadata: V1ObjectMeta;
  readonly spec?: object | undefined;
  readonly status?: object | undefined;
}

/** One managed-fields entry: `manager` owns every field set in `sections`. */
export const managedFieldsEntry = (
  manager: string,
  apiVersion: string,
  sections: ManagedSections,
  time: Date,
  subresource?: string,
): V1ManagedFieldsEntry => {
  const metadata: FieldSet = {};
  for (const key of OWNED_METADATA) {
    const value = sections.metadata[key];
    if (value !== undefined) metadata[`f:${key}`] = fieldSetOf(value, key);
  }
  const fieldsV1: FieldSet = {};
  if (Object.keys(metadata).length > 0) fieldsV1['f:metadata'] = metadata;
  if (sections.spec) fieldsV1['f:spec'] = fieldSetOf(sections.spec, 'spec');
  if (sections.status) fieldsV1['f:status'] = fieldSetOf(sections.status, 'status');
  const entry: V1ManagedFieldsEntry = {
    apiVersion,
    fieldsType: 'FieldsV1',
    fieldsV1,
    manager,
    operation: 'Update',
    time,
  };
  if (subresource !== undefined) entry.subresource = subresource;
  return entry;
};
