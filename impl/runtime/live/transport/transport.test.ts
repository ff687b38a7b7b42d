import { connect as connectHttp2, type OutgoingHttpHeaders } from 'node:http2';
import { connect as connectTcp, createServer as createTcpServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { StageId } from '../../../../spec/types/ids.js';
import type { BindPod, Message } from '../../../../spec/types/messages.js';
import { type Address, formatAddress } from './address.js';
import { MESSAGES_PATH } from './listener.js';
import { SendError } from './sender.js';
import { generateToken } from './token.js';
import { StageTransport, type TransportOptions } from './transport.js';

const SCHEDULER: StageId = 'scheduler';
const KUBELET: StageId = 'kubelet/n1';

const bind = (pod: string, epoch = 'scheduler#1.1'): BindPod => ({
  type: 'kubelet.bindPod',
  source: SCHEDULER,
  destination: KUBELET,
  epoch,
  entry: { kind: 'pod', key: pod, ownerKey: 'a/rs', ownerUid: 'u1', node: 'n1', templateRv: 1 },
});

const open: { close(): unknown }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((closable) => closable.close()));
});

/**
 * A scheduler and a kubelet on loopback, port 0, each in the other's address book; what
 * each stage takes is kept in `received` (after the kubelet's own `onMessage`, if any).
 */
const pair = async (kubelet: Partial<TransportOptions> = {}) => {
  const token = generateToken();
  const book = new Map<StageId, Address>();
  const received: Record<string, Message[]> = { [SCHEDULER]: [], [KUBELET]: [] };
  const make = (self: StageId, extra: Partial<TransportOptions> = {}) => {
    const transport = new StageTransport({
      self,
      token,
      book,
      ...extra,
      onMessage: (message) => {
        extra.onMessage?.(message);
        received[self]?.push(message);
      },
    });
    open.push(transport);
    return transport;
  };
  const scheduler = make(SCHEDULER);
  const k = make(KUBELET, kubelet);
  book.set(SCHEDULER, await scheduler.listen());
  book.set(KUBELET, await k.listen());
  return { token, book, received, scheduler, kubelet: k };
};

const failureOf = async (sending: Promise<void>): Promise<SendError> => {
  const error = await sending.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof SendError)) throw new Error(`expected a SendError, got ${error}`);
  return error;
};

interface RawRequest {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: OutgoingHttpHeaders;
  readonly body?: string;
}

/** One request as any HTTP/2 client may send it; resolves with the status and the reason. */
const raw = (address: Address, token: string | null, request: RawRequest) =>
  new Promise<{ status: number; refused: string | null }>((resolve, reject) => {
    const session = connectHttp2(`http://${formatAddress(address)}`);
    session.on('error', reject);
    const stream = session.request({
      ':method': request.method ?? 'POST',
      ':path': request.path ?? MESSAGES_PATH,
      'content-type': 'application/json',
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...request.headers,
    });
    let status = 0;
    let text = '';
    stream.on('response', (headers) => {
      status = Number(headers[':status']);
    });
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      text += chunk;
    });
    stream.on('end', () => {
      session.close();
      resolve({
        status,
        refused: text === '' ? null : (JSON.parse(text) as { refused: string }).refused,
      });
    });
    stream.on('error', reject);
    stream.end(request.body);
  });

describe('StageTransport', () => {
  it('carries a handshake and its reply between two stages', async () => {
    let replying: Promise<void> | undefined;
    const { scheduler, kubelet, received } = await pair({
      onMessage: (message) => {
        // A kubelet that answers every handshake with an empty snapshot.
        if (message.type !== 'kubelet.handshake') return;
        const reply: Message = {
          type: 'scheduler.handshakeReply',
          source: KUBELET,
          destination: SCHEDULER,
          epoch: message.epoch,
          snapshot: [],
        };
        replying = kubelet.send(reply);
      },
    });
    const handshake: Message = {
      type: 'kubelet.handshake',
      source: SCHEDULER,
      destination: KUBELET,
      epoch: 'scheduler#1.1',
    };
    await scheduler.send(handshake);
    // The reply was sent before the handshake was answered; it is taken once it resolves.
    await replying;
    expect(received[SCHEDULER]).toEqual([
      {
        type: 'scheduler.handshakeReply',
        source: KUBELET,
        destination: SCHEDULER,
        epoch: 'scheduler#1.1',
        snapshot: [],
      },
    ]);
    expect(kubelet.counts()).toMatchObject({ accepted: 1, sent: 1 });
    expect(scheduler.counts()).toMatchObject({ accepted: 1, sent: 1 });
  });

  it('delivers 1,000 messages sent at once in the order they were sent', async () => {
    const { scheduler, kubelet, received } = await pair();
    const pods = Array.from({ length: 1000 }, (_, i) => `a/p${i}`);
    await Promise.all(pods.map((pod) => scheduler.send(bind(pod))));
    expect(
      received[KUBELET]?.map((m) => (m.type === 'kubelet.bindPod' ? m.entry.key : '')),
    ).toEqual(pods);
    expect(kubelet.counts().accepted).toBe(1000);
  });

  it('refuses each kind of bad frame with its status, counts it, and keeps serving', async () => {
    const { token, book, scheduler, kubelet, received } = await pair({
      frameBytesMax: 4096,
      onMessage: (message) => {
        if (message.type === 'kubelet.bindPod' && message.entry.key === 'a/poison')
          throw new Error('cannot hold a/poison');
      },
    });
    const at = book.get(KUBELET) as Address;
    const post = (message: unknown, headers: OutgoingHttpHeaders = {}) =>
      raw(at, token, { body: JSON.stringify(message), headers });
    const cases: [string, Promise<{ status: number; refused: string | null }>][] = [
      ['no token', raw(at, null, { body: JSON.stringify(bind('a/p')) })],
      ['wrong token', post(bind('a/p'), { authorization: `Bearer ${generateToken()}` })],
      ['wrong path', raw(at, token, { path: '/v1/other', body: '{}' })],
      ['GET', raw(at, token, { method: 'GET' })],
      ['not JSON content', post(bind('a/p'), { 'content-type': 'text/plain' })],
      ['too large', post({ ...bind('a/p'), pad: 'x'.repeat(5000) })],
      ['not JSON', raw(at, token, { body: '{"type": "kubelet.bindPod", ' })],
      ['missing field', post({ ...bind('a/p'), entry: undefined })],
      ['unknown type', post({ ...bind('a/p'), type: 'kubelet.unbindPod' })],
      ['wrong destination', post({ ...bind('a/p'), destination: 'kubelet/n2' })],
      ['unknown source', post({ ...bind('a/p', 'replicaset#1.1'), source: 'replicaset' })],
      ['stage throws', post(bind('a/poison'))],
    ];
    const answers = await Promise.all(cases.map(([, answer]) => answer));
    expect(Object.fromEntries(cases.map(([name], i) => [name, answers[i]]))).toEqual({
      'no token': { status: 401, refused: 'unauthenticated' },
      'wrong token': { status: 401, refused: 'unauthenticated' },
      'wrong path': { status: 404, refused: 'badRequest' },
      GET: { status: 405, refused: 'badRequest' },
      'not JSON content': { status: 415, refused: 'badRequest' },
      'too large': { status: 413, refused: 'tooLarge' },
      'not JSON': { status: 400, refused: 'malformed' },
      'missing field': { status: 400, refused: 'malformed' },
      'unknown type': { status: 422, refused: 'unknownType' },
      'wrong destination': { status: 421, refused: 'wrongDestination' },
      'unknown source': { status: 403, refused: 'unknownSource' },
      'stage throws': { status: 500, refused: 'stageError' },
    });
    // A restarted scheduler (incarnation 2) fences its old incarnation's late frames.
    await scheduler.send(bind('a/p1', 'scheduler#2.1'));
    expect(await post(bind('a/p2', 'scheduler#1.4'))).toEqual({
      status: 409,
      refused: 'staleEpoch',
    });
    // Something that is not HTTP/2 at all loses its connection; nobody else notices.
    await garbage(at);
    await scheduler.send(bind('a/p3', 'scheduler#2.1'));
    expect(received[KUBELET]?.map((m) => m.epoch)).toEqual(['scheduler#2.1', 'scheduler#2.1']);
    expect(kubelet.counts()).toEqual({
      accepted: 2,
      refused: {
        unauthenticated: 2,
        malformed: 2,
        unknownType: 1,
        unknownSource: 1,
        wrongDestination: 1,
        staleEpoch: 1,
        tooLarge: 1,
        badRequest: 3,
        stageError: 1,
      },
      refusedByStage: { epochMismatch: 0 },
      sent: 0,
      sendFailed: { noAddress: 0, unreachable: 0, timeout: 0, refused: 0, closed: 0 },
    });
  });

  it('tells the sender why its frame was refused', async () => {
    const { scheduler } = await pair();
    const error = await failureOf(scheduler.send({ ...bind('a/p'), destination: 'kubelet/n2' }));
    expect(error.failure).toBe('noAddress');
    const malformed = await failureOf(
      scheduler.send({
        ...bind('a/p'),
        entry: { ...bind('a/p').entry, templateRv: -1 },
      }),
    );
    expect([malformed.failure, malformed.status, malformed.refusal]).toEqual([
      'refused',
      400,
      'malformed',
    ]);
    expect(malformed.message).toMatch(/entry\.templateRv/);
    expect(scheduler.counts().sendFailed).toMatchObject({ noAddress: 1, refused: 1 });
  });

  it('fails a send to a closed peer at once, with a typed error', async () => {
    const { scheduler, kubelet } = await pair();
    await scheduler.send(bind('a/p1'));
    await kubelet.close();
    const started = performance.now();
    const error = await failureOf(scheduler.send(bind('a/p2')));
    expect(error.failure).toBe('unreachable');
    expect(error.destination).toBe(KUBELET);
    // Refused connections fail at once; the 5 s answer timeout is not what ended it.
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('fails a send to a peer that never answers after timeoutMs', async () => {
    const silent = createTcpServer(() => {});
    open.push(silent);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const book = new Map<StageId, Address>([[KUBELET, addressOf(silent)]]);
    const scheduler = new StageTransport({
      self: SCHEDULER,
      token: generateToken(),
      book,
      onMessage: () => {},
      timeoutMs: 100,
    });
    open.push(scheduler);
    expect((await failureOf(scheduler.send(bind('a/p')))).failure).toBe('timeout');
  });

  it('requires a token to be made, and refuses a stage with another token', async () => {
    const options = { self: SCHEDULER, book: new Map(), onMessage: () => {} };
    expect(() => new StageTransport({ ...options, token: '' })).toThrow(/shared token/);
    const { book } = await pair();
    const stranger = new StageTransport({ ...options, book, token: generateToken() });
    open.push(stranger);
    const error = await failureOf(stranger.send(bind('a/p')));
    expect([error.failure, error.status, error.refusal]).toEqual([
      'refused',
      401,
      'unauthenticated',
    ]);
  });

  it('counts the epochMismatch replies its host reports', async () => {
    const { kubelet } = await pair();
    kubelet.countStageRefusal({
      type: 'scheduler.epochMismatch',
      source: KUBELET,
      destination: SCHEDULER,
      epoch: 'scheduler#1.1',
      refused: 'kubelet.bindPod',
    });
    expect(kubelet.counts().refusedByStage).toEqual({ epochMismatch: 1 });
  });
});

const addressOf = (server: Server): Address => {
  const { address, port } = server.address() as { address: string; port: number };
  return { host: address, port };
};

/** An HTTP/1.1 request to the HTTP/2 listener; resolves when the listener hangs up. */
const garbage = (address: Address) =>
  new Promise<void>((resolve) => {
    const socket = connectTcp(address.port, address.host, () =>
      socket.end('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
    );
    socket.on('error', () => {});
    socket.on('close', () => resolve());
    socket.resume();
  });
