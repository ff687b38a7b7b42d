/**
 * The sending side of a stage transport: one HTTP/2 connection per destination address,
 * opened on first use and again after it breaks. A send is one stream; streams of one
 * connection open in the order of the `send` calls and the listener hands them to its stage
 * in that order (inbox.ts). Nothing is retried: a frame is delivered at most once, and a
 * failed send says only that the sender does not know (a lost request and a lost answer look
 * the same, protocol.md §5), which the host turns into `link.down`.
 */
import { type ClientHttp2Session, type ClientHttp2Stream, connect, constants } from 'node:http2';
import type { StageId } from '../../../../spec/types/ids.js';
import type { Message } from '../../../../spec/types/messages.js';
import { type Address, type AddressBook, formatAddress } from './address.js';
import type { RefusalReason, SendFailure, TransportCounters } from './counters.js';
import { Lane } from './lane.js';
import { MESSAGES_PATH } from './listener.js';
import { authorizationOf } from './token.js';

/** A send that failed; `failure` says how, `refusal` why the peer refused (`refused` only). */
export class SendError extends Error {
  override readonly name = 'SendError';

  constructor(
    readonly failure: SendFailure,
    readonly destination: StageId,
    detail: string,
    readonly status: number | null = null,
    readonly refusal: RefusalReason | null = null,
    options?: ErrorOptions,
  ) {
    super(`send to ${destination} failed (${failure}): ${detail}`, options);
  }
}

export interface SenderOptions {
  readonly token: string;
  readonly book: AddressBook;
  readonly counters: TransportCounters;
  /** How long a send waits for its answer before it fails with `timeout`. */
  readonly timeoutMs: number;
  /** A connection that was up broke from the peer's side (its process went away). */
  readonly onConnectionLost?: (destination: StageId) => void;
}

/** Sends in flight to one destination (lane.ts). */
const IN_FLIGHT_MAX = 100;

/** Refusals carry `{ refused, detail }`; more than this of an answer is not read. */
const ANSWER_BYTES_MAX = 64 * 1024;

export class Sender {
  private readonly sessions = new Map<string, ClientHttp2Session>();
  private readonly lanes = new Map<string, Lane>();
  /** Sessions this side gave up on (a timeout): their closing is no news. */
  private readonly dropped = new WeakSet<ClientHttp2Session>();
  private closed = false;

  constructor(private readonly options: SenderOptions) {}

  /** Resolves once the destination's listener has handed the message to its stage. */
  send(message: Message): Promise<void> {
    const { destination } = message;
    const address = this.options.book.get(destination);
    if (this.closed) return this.fail(new SendError('closed', destination, 'transport closed'));
    if (!address)
      return this.fail(new SendError('noAddress', destination, 'not in the address book'));
    return new Promise<void>((resolve, reject) => {
      this.laneFor(address).run((done) => {
        // Settled before the next send starts, so that one opens on a fresh connection if
        // this one's timeout dropped the old.
        const settle = (error: SendError | null) => {
          this.settled(address, error, resolve, reject);
          done();
        };
        const stream = this.open(address, destination, settle);
        if (!stream) return;
        awaitAnswer(stream, destination, this.options.timeoutMs, settle);
        stream.end(JSON.stringify(message));
      });
    });
  }

  private settled(
    address: Address,
    error: SendError | null,
    resolve: () => void,
    reject: (error: SendError) => void,
  ): void {
    if (error === null) {
      this.options.counters.sendSucceeded();
      resolve();
      return;
    }
    // A connection that timed out is presumed dead: the next send opens a new one.
    if (error.failure === 'timeout') this.drop(address);
    this.options.counters.sendFailedWith(error.failure);
    reject(error);
  }

  close(): void {
    this.closed = true;
    for (const session of this.sessions.values()) session.destroy();
    this.sessions.clear();
  }

  private fail(error: SendError): Promise<never> {
    this.options.counters.sendFailedWith(error.failure);
    return Promise.reject(error);
  }

  private open(
    address: Address,
    destination: StageId,
    settle: (error: SendError) => void,
  ): ClientHttp2Stream | null {
    const headers = {
      ':method': 'POST',
      ':path': MESSAGES_PATH,
      'content-type': 'application/json',
      authorization: authorizationOf(this.options.token),
    };
    if (this.closed) {
      settle(new SendError('closed', destination, 'transport closed while the send waited'));
      return null;
    }
    try {
      return this.sessionFor(address, destination).request(headers);
    } catch (error) {
      // The connection cannot take another stream (closing, or out of stream ids): nothing
      // was sent, so this is not a retry, and the next send starts a new connection.
      this.drop(address);
      settle(
        new SendError('unreachable', destination, describe(error), null, null, { cause: error }),
      );
      return null;
    }
  }

  private laneFor(address: Address): Lane {
    const key = formatAddress(address);
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = new Lane(IN_FLIGHT_MAX);
      this.lanes.set(key, lane);
    }
    return lane;
  }

  private sessionFor(address: Address, destination: StageId): ClientHttp2Session {
    const key = formatAddress(address);
    const open = this.sessions.get(key);
    if (open && !open.closed && !open.destroyed) return open;
    const session = connect(`http://${key}`);
    let connected = false;
    session.once('connect', () => {
      connected = true;
    });
    // Errors of the connection reach every stream on it, which is where sends see them.
    session.on('error', () => {});
    const forget = () => {
      if (this.sessions.get(key) === session) this.sessions.delete(key);
    };
    session.on('goaway', forget);
    session.on('close', () => {
      forget();
      // As the sim tells a dead server's clients (faults.ts): the connection broke. Not a
      // connection this side closed, nor one that never came up (its send fails instead).
      if (connected && !this.closed && !this.dropped.has(session))
        this.options.onConnectionLost?.(destination);
    });
    this.sessions.set(key, session);
    return session;
  }

  private drop(address: Address): void {
    const key = formatAddress(address);
    const session = this.sessions.get(key);
    if (session) this.dropped.add(session);
    session?.destroy();
    this.sessions.delete(key);
  }
}

/** Calls `done` once: null on 202, else the failure. */
const awaitAnswer = (
  stream: ClientHttp2Stream,
  destination: StageId,
  timeoutMs: number,
  done: (error: SendError | null) => void,
): void => {
  let status = 0;
  let answer = '';
  let settled = false;
  const settle = (error: SendError | null) => {
    if (settled) return;
    settled = true;
    done(error);
  };
  stream.setTimeout(timeoutMs, () => {
    stream.close(constants.NGHTTP2_CANCEL);
    settle(new SendError('timeout', destination, `no answer within ${timeoutMs} ms`));
  });
  stream.on('response', (headers) => {
    status = Number(headers[':status']);
  });
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    if (answer.length < ANSWER_BYTES_MAX) answer += chunk;
  });
  stream.on('end', () => {
    if (status === 202) settle(null);
    else if (status === 0) settle(new SendError('unreachable', destination, 'closed unanswered'));
    else settle(refused(destination, status, answer));
  });
  stream.on('error', (error) =>
    settle(
      new SendError('unreachable', destination, describe(error), null, null, { cause: error }),
    ),
  );
  stream.on('close', () => settle(new SendError('unreachable', destination, 'stream closed')));
};

const refused = (destination: StageId, status: number, answer: string): SendError => {
  let reason: RefusalReason | null = null;
  let detail = answer;
  try {
    const parsed = JSON.parse(answer) as { refused?: RefusalReason; detail?: string };
    reason = parsed.refused ?? null;
    detail = parsed.detail ?? answer;
  } catch {
    // Not one of our listeners' answers; the status and the raw text say what there is.
  }
  return new SendError('refused', destination, `${status} ${detail}`, status, reason);
};

const describe = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
