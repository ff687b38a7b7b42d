/**
 * Directed cases: schedules written by hand, run by every `kd check` campaign before its
 * random cases (fast-check's `examples`) and checked like them, property by property. Each
 * aims a fault at a moment of a handshake that random schedules meet only now and then
 * (docs/design/coverage.md): a crash of the server while its client is in round 1 or round
 * 2, a lost round-2 sync, a round-2 sync held until the client's retry timer has fired (so
 * that it reaches the server under an older epoch), a data message of an older epoch
 * refused while the client is in round 2 and again once it is connected; and one more at a
 * bind that outruns its template (a reachability guard), and one at a write that outlives
 * its writer's crash (a hazard the model cannot show). With them a campaign of any size
 * takes every transition its profile can take and hits every guard; a test shows that each
 * reaches what it names.
 */
import { HANDSHAKE_RETRY_MS } from '../../impl/stages/link/client.js';
import type { FuzzCase } from './case.js';
import type { Choice, MomentAct, MomentPhase } from './schedule.js';

interface DirectedCase {
  readonly name: string;
  /** The transition ids of `checker/coverage` it exists for. */
  readonly reaches: readonly string[];
  /** It exists for a round-2 sync of an older epoch reaching the server (a test checks). */
  readonly lateSync?: true;
  /** The reachability guards it exists for (a test checks that it hits them). */
  readonly hits?: readonly string[];
  /** The mutant it exists to catch: one the model cannot show (a test checks it fails). */
  readonly catches?: string;
  readonly fuzzCase: FuzzCase;
}

/** The two client links of the narrow waist: link index (by id), client and server. */
const LINKS = [
  { link: 0, client: 'deployment', server: 'replicaset', serverIndex: 2 },
  { link: 1, client: 'replicaset', server: 'scheduler', serverIndex: 3 },
] as const;

const base = { mode: 'direct', pods: 2, nodes: 2, functions: 1, tenants: false, seed: 1 } as const;

const restart = (stage: number): Choice[] => [
  { kind: 'crashOrRestart', stage },
  { kind: 'crashOrRestart', stage },
];
const moment = (link: number, phase: MomentPhase, act: MomentAct, ms?: number): Choice => ({
  kind: 'moment',
  link,
  phase,
  act,
  ...(ms === undefined ? {} : { ms }),
});
const takes = (n: number): Choice[] =>
  Array.from({ length: n }, () => ({ kind: 'take', index: 0 }));

const casesFor = ({
  link,
  client,
  server,
  serverIndex,
}: (typeof LINKS)[number]): DirectedCase[] => [
  {
    name: `${server} crashes while ${client} is in round 1`,
    reaches: [`${client}: (root) --link.down[linkIs(handshaking)]--> (targetless)`],
    fuzzCase: {
      ...base,
      schedule: [...restart(serverIndex), moment(link, 'handshaking', 'crashServer')],
    },
  },
  {
    name: `${server} crashes while ${client} is in round 2`,
    reaches: [`${client}: (root) --link.down[linkIs(syncing)]--> (targetless)`],
    fuzzCase: {
      ...base,
      schedule: [...restart(serverIndex), moment(link, 'syncing', 'crashServer')],
    },
  },
  {
    name: `${client}'s round-2 sync to a restarted ${server} is lost`,
    reaches: [`${client}: (root) --timer[retryTimer(syncing)]--> (targetless)`],
    fuzzCase: {
      ...base,
      schedule: [...restart(serverIndex), moment(link, 'syncing', 'dropNewest')],
    },
  },
  {
    name: `${client}'s round-2 sync to a restarted ${server} arrives after ${client}'s retry timer`,
    reaches: [`${client}: (root) --timer[retryTimer(syncing)]--> (targetless)`],
    // Held twice the retry timer: the client handshakes again under a newer epoch, and
    // the old sync reaches the server after that epoch is installed (a late sync of an
    // older epoch, which the server must refuse).
    lateSync: true,
    fuzzCase: {
      ...base,
      schedule: [
        ...restart(serverIndex),
        moment(link, 'syncing', 'delayNewest', 2 * HANDSHAKE_RETRY_MS),
      ],
    },
  },
  {
    name: `${server} refuses ${client}'s data of an older epoch in round 2, then once connected`,
    reaches: [
      `${client}: (root) --message[gets(syncing,epochMismatch)]--> (targetless)`,
      `${client}: (root) --message[gets(connected,epochMismatch)]--> (targetless)`,
    ],
    fuzzCase: {
      ...base,
      schedule: [
        ...takes(DATA_SENT_AFTER[link] ?? 0),
        // Both copies are held: the original past the 2 s re-check that starts a new
        // handshake, the duplicate (the newest) past that handshake's round 2.
        { kind: 'duplicate', index: 0, of: 'data' },
        { kind: 'delay', index: 0, of: 'data', ms: 10_000 },
        { kind: 'delay', index: 1, of: 'data', ms: 3000 },
        // The old message reaches the server in round 2, its refusal comes straight back;
        // then the copy, once the link is connected again.
        moment(link, 'syncing', 'deliverOldest'),
        moment(link, 'syncing', 'deliverNewest'),
        moment(link, 'connected', 'deliverOldest'),
        moment(link, 'connected', 'deliverNewest'),
      ],
    },
  },
];

/** Takes after the load until the link's first data message is in flight (per link). */
const DATA_SENT_AFTER: readonly number[] = [4, 5];

/**
 * A guard no handshake case hits, and random schedules only by chance (the default
 * campaign's draws once missed it): a new template's informer event held back from the
 * only kubelet, so that the bind of a pod of the new ReplicaSet arrives first.
 */
const BIND_BEFORE_TEMPLATE: DirectedCase = {
  name: 'a bind reaches the kubelet before its new template does',
  reaches: [],
  hits: ['bind-races-template'],
  fuzzCase: {
    ...base,
    nodes: 1,
    schedule: [
      { kind: 'write', write: { op: 'changeTemplate', fn: 0 } },
      { kind: 'delay', index: 1, of: 'inform', ms: 3000 },
    ],
  },
};

/**
 * A hazard beyond the model (its API requests are part of their stage's step): a
 * ReplicaSet controller's write-back held on the wire while the load drops and the
 * controller restarts, so that the predecessor's older count lands after the new
 * incarnation's newer one (found by hand; random schedules missed it in 1,410 cases).
 */
export const WRITE_BACK_OUTLIVES_CRASH: DirectedCase = {
  name: "a crashed ReplicaSet controller's write-back lands after its successor's",
  reaches: [],
  catches: 'unconditional-write-back',
  fuzzCase: {
    ...base,
    nodes: 1,
    schedule: [
      ...takes(5),
      { kind: 'delay', index: 0, of: 'api', ms: 900 },
      { kind: 'load', fn: 0, pods: 0 },
      ...restart(2),
      ...takes(30),
    ],
  },
};

export const DIRECTED: readonly DirectedCase[] = [
  ...LINKS.flatMap(casesFor),
  BIND_BEFORE_TEMPLATE,
  WRITE_BACK_OUTLIVES_CRASH,
];
