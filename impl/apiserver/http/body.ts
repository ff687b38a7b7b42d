/**
 * Request bodies: read within a size bound, of an accepted media type, valid JSON of the
 * expected shape. Kubernetes decodes a body into a typed struct, so a field of the wrong
 * JSON type is a 400 before any validation; the checks here are that decoding step for
 * the fields the API Server reads (metadata, spec and status being objects).
 */
import type { IncomingMessage } from 'node:http';
import { isPlainObject } from '../merge-patch.js';
import { badRequest, Refusal } from './status.js';

export type Json = Record<string, unknown>;

/** Reads the whole body; a 413 once it passes `bytesMax` (the rest is read and dropped). */
export const readBody = (request: IncomingMessage, bytesMax: number): Promise<string> =>
  new Promise((resolve, reject) => {
    const tooLarge = () =>
      new Refusal(
        413,
        'RequestEntityTooLarge',
        `the request body is larger than the limit of ${bytesMax} bytes`,
      );
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > bytesMax) {
      request.resume();
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= bytesMax) chunks.push(chunk);
      else chunks.length = 0;
    });
    request.on('end', () =>
      bytes > bytesMax ? reject(tooLarge()) : resolve(Buffer.concat(chunks).toString('utf8')),
    );
    request.on('error', reject);
    request.on('close', () => reject(new Error('the client closed the request')));
  });

/** The media type of a Content-Type header, lower case, without parameters. */
export const mediaTypeOf = (request: IncomingMessage): string =>
  (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

export const MERGE_PATCH = 'application/merge-patch+json';

/** A 415 unless the body's media type is one of `accepted`. */
export const requireMediaType = (request: IncomingMessage, accepted: readonly string[]): void => {
  const type = mediaTypeOf(request);
  if (accepted.includes(type)) return;
  throw new Refusal(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format (${type || 'none'}); accepted media types include: ${accepted.join(', ')}`,
  );
};

/** Parses a JSON body that must be an object. */
export const parseObject = (text: string): Json => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw badRequest(`the body of the request is not valid JSON: ${(error as Error).message}`);
  }
  if (!isPlainObject(value)) {
    throw badRequest(`the body of the request must be a JSON object, not ${jsonTypeOf(value)}`);
  }
  return value;
};

const jsonTypeOf = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;

const expectType = (value: unknown, field: string, type: 'string' | 'object' | 'number'): void => {
  if (value === undefined) return;
  const fits = type === 'object' ? isPlainObject(value) : typeof value === type;
  if (!fits) {
    throw badRequest(`cannot decode field ${field}: expected ${type}, got ${jsonTypeOf(value)}`);
  }
};

const expectStringMap = (value: unknown, field: string): void => {
  expectType(value, field, 'object');
  for (const [key, entry] of Object.entries((value ?? {}) as Json))
    expectType(entry, `${field}.${key}`, 'string');
};

/** The decoding checks of an object's metadata: the fields the API Server reads. */
export const checkMetadata = (metadata: unknown): void => {
  expectType(metadata, 'metadata', 'object');
  if (metadata === undefined) return;
  const meta = metadata as Json;
  for (const field of ['name', 'namespace', 'generateName', 'uid', 'resourceVersion'])
    expectType(meta[field], `metadata.${field}`, 'string');
  expectStringMap(meta.labels, 'metadata.labels');
  expectStringMap(meta.annotations, 'metadata.annotations');
  if (meta.finalizers !== undefined && !Array.isArray(meta.finalizers))
    throw badRequest('cannot decode field metadata.finalizers: expected an array');
  if (meta.ownerReferences !== undefined && !Array.isArray(meta.ownerReferences))
    throw badRequest('cannot decode field metadata.ownerReferences: expected an array');
};

/**
 * The checks of a whole object sent for `apiVersion`/`kind`: both may be absent (the path
 * says what it is), and when given they must match, as the API Server refuses a body of
 * another kind with a 400.
 */
export const checkObject = (body: Json, apiVersion: string, kind: string): void => {
  if (body.apiVersion !== undefined && body.apiVersion !== apiVersion) {
    throw badRequest(
      `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${apiVersion})`,
    );
  }
  if (body.kind !== undefined && body.kind !== kind) {
    throw badRequest(
      `the kind in the data (${String(body.kind)}) does not match the expected kind (${kind})`,
    );
  }
  checkMetadata(body.metadata);
  expectType(body.spec, 'spec', 'object');
  expectType(body.status, 'status', 'object');
};

export const stringField = (value: unknown, field: string): string | undefined => {
  expectType(value, field, 'string');
  return value as string | undefined;
};

export const objectField = (value: unknown, field: string): Json | undefined => {
  expectType(value, field, 'object');
  return value as Json | undefined;
};

export const numberField = (value: unknown, field: string): number | undefined => {
  expectType(value, field, 'number');
  return value as number | undefined;
};
