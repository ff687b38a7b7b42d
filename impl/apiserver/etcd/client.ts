/**
 * The little of etcd's v3 API the API Server needs, over etcd's JSON gateway (`/v3/kv/*`,
 * served by every etcd since 3.3 on its client URL) with `fetch`: no client library. Keys
 * and values travel base64-encoded; 64-bit numbers arrive as decimal strings and false or
 * zero fields are left out, as proto3's JSON mapping has it.
 */

export interface EtcdKeyValue {
  readonly key: string;
  readonly value: string;
  readonly createRevision: number;
  readonly modRevision: number;
}

export interface EtcdRange {
  /** The store's revision when the range was read. */
  readonly revision: number;
  readonly kvs: readonly EtcdKeyValue[];
}

/** One write made only if `key` was last changed at `expectedModRevision` (0: absent). */
export interface EtcdWrite {
  readonly key: string;
  /** The new value; undefined deletes the key. */
  readonly value: string | undefined;
  readonly expectedModRevision: number;
}

export interface EtcdWriteResult {
  readonly succeeded: boolean;
  /** The store's revision after the transaction (unchanged when it did not succeed). */
  readonly revision: number;
}

/** etcd answered with an error, or not in the shape its API promises. */
export class EtcdError extends Error {}

const REQUEST_TIMEOUT_MS = 10_000;

const encode = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const decode = (base64: string | undefined): string =>
  Buffer.from(base64 ?? '', 'base64').toString('utf8');
const count = (value: unknown): number => Number(value ?? 0);

/** The first key after every key that starts with `prefix` (etcd's `range_end`). */
const prefixEnd = (prefix: string): string => {
  const bytes = Buffer.from(prefix, 'utf8');
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) + 1;
  return bytes.toString('base64');
};

type Json = Record<string, unknown>;

export class EtcdClient {
  readonly url: string;

  constructor(url: string) {
    this.url = url.replace(/\/+$/, '');
  }

  /** Every key that starts with `prefix`, in key order, read at one revision. */
  async range(prefix: string): Promise<EtcdRange> {
    const answer = await this.post('/v3/kv/range', {
      key: encode(prefix),
      range_end: prefixEnd(prefix),
    });
    const kvs = ((answer.kvs ?? []) as Json[]).map((kv) => ({
      key: decode(kv.key as string),
      value: decode(kv.value as string),
      createRevision: count(kv.create_revision),
      modRevision: count(kv.mod_revision),
    }));
    return { revision: this.revisionOf(answer), kvs };
  }

  /** One transaction: the write if the key is where the caller last saw it, else nothing. */
  async write(write: EtcdWrite): Promise<EtcdWriteResult> {
    const key = encode(write.key);
    const operation =
      write.value === undefined
        ? { request_delete_range: { key } }
        : { request_put: { key, value: encode(write.value) } };
    const answer = await this.post('/v3/kv/txn', {
      compare: [
        {
          key,
          target: 'MOD',
          result: 'EQUAL',
          mod_revision: String(write.expectedModRevision),
        },
      ],
      success: [operation],
    });
    return { succeeded: answer.succeeded === true, revision: this.revisionOf(answer) };
  }

  /** Drops the history before `revision` (the current values stay). */
  async compact(revision: number): Promise<void> {
    await this.post('/v3/kv/compaction', { revision: String(revision) });
  }

  /** Deletes every key that starts with `prefix`; returns how many there were. */
  async deletePrefix(prefix: string): Promise<number> {
    const answer = await this.post('/v3/kv/deleterange', {
      key: encode(prefix),
      range_end: prefixEnd(prefix),
    });
    return count(answer.deleted);
  }

  private revisionOf(answer: Json): number {
    const revision = count((answer.header as Json | undefined)?.revision);
    if (!Number.isSafeInteger(revision) || revision < 1)
      throw new EtcdError(`etcd at ${this.url} answered without a revision`);
    return revision;
  }

  private async post(path: string, body: Json): Promise<Json> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const { cause } = error as { cause?: { code?: string; message?: string } };
      const why = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new EtcdError(`cannot reach etcd at ${this.url}: ${why}`);
    }
    const text = await response.text();
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      throw new EtcdError(`etcd at ${this.url} answered ${response.status} with no JSON`);
    }
    if (!response.ok || typeof answer !== 'object' || answer === null) {
      const message = (answer as Json | null)?.message ?? (answer as Json | null)?.error;
      throw new EtcdError(
        `etcd at ${this.url} answered ${response.status}${message ? `: ${String(message)}` : ''}`,
      );
    }
    return answer as Json;
  }
}
