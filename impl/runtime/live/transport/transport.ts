/**
 * A stage process's transport: its listener and its sender, one token, one address book and
 * one set of counters. The stage host (next step) creates one per process, feeds
 * `onMessage` into its stage and turns a `SendError` into `link.down`.
 */
import type { StageId } from '../../../../spec/types/ids.js';
import type { EpochMismatch, Message } from '../../../../spec/types/messages.js';
import { type Address, type AddressBook, LOOPBACK } from './address.js';
import { type CountersSnapshot, TransportCounters } from './counters.js';
import { Listener } from './listener.js';
import { Sender } from './sender.js';
import { checkToken } from './token.js';

export interface TransportOptions {
  /** This stage: frames to another destination are refused. */
  readonly self: StageId;
  /** The shared token of the cluster's stages (`generateToken()`). */
  readonly token: string;
  /** The stages this one talks to; the only sources it accepts. */
  readonly book: AddressBook;
  /** Called with each accepted message, in order per connection; a throw refuses the frame. */
  readonly onMessage: (message: Message) => void;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: the system picks one, which `listen()` returns. */
  readonly port?: number;
  /** Default 5,000: how long a send waits for the peer's answer. */
  readonly timeoutMs?: number;
  /** Default 16 MiB: a handshake reply's snapshot of 10,000 pods is about 1.5 MB. */
  readonly frameBytesMax?: number;
  /**
   * A connection to `destination` that was up broke from its side: the peer's process went
   * away (the host tells its stage `link.down` if the peer is its server).
   */
  readonly onConnectionLost?: (destination: StageId) => void;
}

const TIMEOUT_MS_DEFAULT = 5_000;
const FRAME_BYTES_MAX_DEFAULT = 16 * 1024 * 1024;

export class StageTransport {
  private readonly counters = new TransportCounters();
  private readonly listener: Listener;
  private readonly sender: Sender;

  constructor(options: TransportOptions) {
    const token = checkToken(options.token);
    this.listener = new Listener({
      self: options.self,
      token,
      book: options.book,
      onMessage: options.onMessage,
      counters: this.counters,
      host: options.host ?? LOOPBACK,
      port: options.port ?? 0,
      frameBytesMax: options.frameBytesMax ?? FRAME_BYTES_MAX_DEFAULT,
    });
    this.sender = new Sender({
      token,
      book: options.book,
      counters: this.counters,
      timeoutMs: options.timeoutMs ?? TIMEOUT_MS_DEFAULT,
      ...(options.onConnectionLost ? { onConnectionLost: options.onConnectionLost } : {}),
    });
  }

  /** Starts listening; resolves with where (the chosen port if the port was 0). */
  listen(): Promise<Address> {
    return this.listener.listen();
  }

  /**
   * Sends to `message.destination`; resolves once the peer's stage has taken it, rejects
   * with a `SendError`. At most once: a failed send is never retried here.
   */
  send(message: Message): Promise<void> {
    return this.sender.send(message);
  }

  /** The host reports each `epochMismatch` its stage sends: a refusal the stage made. */
  countStageRefusal(reply: EpochMismatch): void {
    this.counters.stageRefused(reply);
  }

  counts(): CountersSnapshot {
    return this.counters.snapshot();
  }

  /** Closes connections both ways and stops listening. */
  close(): Promise<void> {
    this.sender.close();
    return this.listener.close();
  }
}
