/**
 * The listening side of a stage transport: an HTTP/2 server (cleartext, prior knowledge) on
 * loopback by default. One frame is one `POST /v1/messages` stream whose body is one JSON
 * `Message`; the answer is 202 once the stage has taken it, or a refusal status with
 * `{ refused, detail }`. Each frame is checked in this order: the token (so a peer without
 * it learns nothing else); path, method and content type; the body's size; the frame itself (frame.ts); the destination; the source; the
 * incarnation of its epoch. Nothing a peer sends can throw out of here: every error of a
 * session or stream is caught and the listener keeps serving.
 */
import {
  createServer,
  type Http2Server,
  type Http2Session,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { StageId } from '../../../../spec/types/ids.js';
import type { Message } from '../../../../spec/types/messages.js';
import type { Address, AddressBook } from './address.js';
import { REFUSAL_STATUS, type RefusalReason, type TransportCounters } from './counters.js';
import { IncarnationsSeen } from './epochs.js';
import { readFrame } from './frame.js';
import { Inbox } from './inbox.js';
import { carriesToken } from './token.js';

export const MESSAGES_PATH = '/v1/messages';

export interface ListenerOptions {
  readonly self: StageId;
  readonly token: string;
  readonly book: AddressBook;
  /** Hands an accepted frame to the stage; called in order per connection. */
  readonly onMessage: (message: Message) => void;
  readonly counters: TransportCounters;
  readonly host: string;
  readonly port: number;
  readonly frameBytesMax: number;
}

interface Refusal {
  readonly reason: RefusalReason;
  readonly status: number;
  readonly detail: string;
}

const refusal = (reason: RefusalReason, detail: string, status?: number): Refusal => ({
  reason,
  status: status ?? REFUSAL_STATUS[reason],
  detail,
});

export class Listener {
  private readonly server: Http2Server = createServer();
  private readonly sessions = new Set<Http2Session>();
  private readonly inboxes = new WeakMap<Http2Session, Inbox>();
  private readonly seen = new IncarnationsSeen();

  constructor(private readonly options: ListenerOptions) {
    this.server.on('session', (session) => this.onSession(session));
    this.server.on('stream', (stream, headers) => this.onStream(stream, headers));
    // A peer that does not speak HTTP/2, or breaks the protocol, loses its connection only.
    this.server.on('sessionError', () => {});
  }

  /** Starts listening; resolves with the address, the chosen port if `port` was 0. */
  listen(): Promise<Address> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        const { address, port } = this.server.address() as AddressInfo;
        resolve({ host: address, port });
      });
    });
  }

  /** Stops listening and drops every connection; frames not yet answered are lost. */
  close(): Promise<void> {
    for (const session of this.sessions) session.destroy();
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
    });
  }

  private onSession(session: Http2Session): void {
    this.sessions.add(session);
    this.inboxes.set(session, new Inbox());
    session.on('error', () => {});
    session.on('close', () => this.sessions.delete(session));
  }

  private onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    stream.on('error', () => {});
    const inbox = this.inboxes.get(stream.session as Http2Session) ?? new Inbox();
    const ticket = inbox.take();
    const early = this.checkHeaders(headers);
    if (early) {
      stream.resume(); // discard the body
      inbox.finish(ticket, () => this.refuse(stream, early));
      return;
    }
    readBody(stream, this.options.frameBytesMax, (body) =>
      inbox.finish(ticket, () => {
        if (body === 'tooLarge')
          this.refuse(stream, refusal('tooLarge', `over ${this.options.frameBytesMax} bytes`));
        else if (body !== null) this.admit(stream, body);
      }),
    );
  }

  private checkHeaders(headers: IncomingHttpHeaders): Refusal | null {
    if (!carriesToken(headers.authorization, this.options.token))
      return refusal('unauthenticated', 'missing or wrong bearer token');
    if (headers[':path'] !== MESSAGES_PATH)
      return refusal('badRequest', `no such path; frames go to ${MESSAGES_PATH}`, 404);
    if (headers[':method'] !== 'POST') return refusal('badRequest', 'frames are POSTed', 405);
    if (!headers['content-type']?.startsWith('application/json'))
      return refusal('badRequest', 'a frame is application/json', 415);
    return null;
  }

  private admit(stream: ServerHttp2Stream, body: Uint8Array): void {
    const refused = this.deliver(body);
    if (refused) {
      this.refuse(stream, refused);
    } else {
      this.options.counters.accept();
      respond(stream, 202);
    }
  }

  /** Checks a frame and hands it to the stage: null once the stage has it, or the refusal. */
  private deliver(body: Uint8Array): Refusal | null {
    const verdict = readFrame(body);
    if (!verdict.ok) return refusal(verdict.reason, verdict.detail);
    const message = verdict.message;
    const wrong = this.checkParties(message);
    if (wrong) return wrong;
    try {
      this.options.onMessage(message);
    } catch (error) {
      return refusal('stageError', error instanceof Error ? error.message : String(error));
    }
    this.seen.note(message);
    return null;
  }

  private checkParties(message: Message): Refusal | null {
    const { self, book } = this.options;
    if (message.destination !== self)
      return refusal('wrongDestination', `this is ${self}, not ${message.destination}`);
    if (!book.has(message.source))
      return refusal('unknownSource', `${message.source} is not in ${self}'s address book`);
    if (this.seen.isStale(message))
      return refusal('staleEpoch', `epoch ${message.epoch} is of an older incarnation`);
    return null;
  }

  private refuse(stream: ServerHttp2Stream, { reason, status, detail }: Refusal): void {
    this.options.counters.refuse(reason);
    respond(stream, status, JSON.stringify({ refused: reason, detail }));
  }
}

/** Answers a stream unless its peer has gone; a stream may be reset at any time. */
const respond = (stream: ServerHttp2Stream, status: number, body?: string): void => {
  if (stream.destroyed || stream.closed || stream.headersSent) return;
  try {
    stream.respond({
      ':status': status,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    });
    stream.end(body);
  } catch {
    // The stream closed between the check and the answer: nothing left to tell.
  }
};

/**
 * The body of a stream, up to `bytesMax`: `tooLarge` as soon as it is over (the rest is
 * discarded), null if the stream ends abnormally (the peer reset it or went away).
 */
const readBody = (
  stream: ServerHttp2Stream,
  bytesMax: number,
  done: (body: Uint8Array | 'tooLarge' | null) => void,
): void => {
  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  const settle = (body: Uint8Array | 'tooLarge' | null) => {
    if (settled) return;
    settled = true;
    done(body);
  };
  stream.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= bytesMax) {
      chunks.push(chunk);
    } else {
      chunks.length = 0;
      settle('tooLarge');
    }
  });
  stream.on('end', () => settle(Buffer.concat(chunks)));
  stream.on('close', () => settle(null));
};
