/**
 * What this machine gives N threads at once: the same fixed loop run in one worker thread,
 * then in N at once, and the work done per second compared (N when every thread has a core
 * of its own). Two loops, because they are bounded differently:
 *
 * - `arithmetic`: integer arithmetic on a few registers. Only the cores bound it.
 * - `allocating`: small records made, kept a while in a large live set, and dropped, as the
 *   explorer makes and drops states. A thread like that also keeps the garbage collector's
 *   helper threads busy, and V8 runs those on the cores the other threads are not using:
 *   one such thread alone already uses more than one core, so N of them gain less than N.
 *
 * `bench:explore --workers` prints both beside its own speed-up, measured in the same
 * minute: the explorer is the second kind.
 */
import { Worker } from 'node:worker_threads';

export interface Ceiling {
  readonly arithmetic: number;
  readonly allocating: number;
}

/**
 * Iterations per thread: about half a second of arithmetic on this machine, and two seconds
 * of allocating (shorter runs of it gave widely scattered ratios, as a collection of the
 * old generation fell in one run or the other).
 */
const ARITHMETIC_ITERATIONS = 200_000_000;
const ALLOCATING_ITERATIONS = 4_000_000;

const ARITHMETIC = `
const { parentPort, workerData } = require('node:worker_threads');
let x = 0;
for (let i = 0; i < workerData; i++) x = (x + Math.imul(i, 0x9e3779b1)) | 0;
parentPort.postMessage(x);
`;

// A live set of 2^20 slots, each overwritten at a pseudo-random place: a record lives until
// its slot is hit again, long enough to be copied out of the young generation.
const ALLOCATING = `
const { parentPort, workerData } = require('node:worker_threads');
const slots = 1 << 20;
const live = new Array(slots).fill(null);
let seed = 1;
let sum = 0;
for (let i = 0; i < workerData; i++) {
  seed = (Math.imul(seed, 1103515245) + 12345) | 0;
  const at = (seed >>> 12) & (slots - 1);
  const old = live[at];
  live[at] = { n: i, next: old === null ? null : old.next, pair: [i, at], name: 'k' + (i & 1023) };
  if (old !== null) sum += old.n & 1;
}
parentPort.postMessage(sum);
`;

function run(code: string, iterations: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: iterations });
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
}

async function secondsFor(code: string, iterations: number, threads: number): Promise<number> {
  const start = performance.now();
  await Promise.all(Array.from({ length: threads }, () => run(code, iterations)));
  return (performance.now() - start) / 1000;
}

/** N threads' work per second over one thread's, for a loop of `iterations`. */
async function ratio(code: string, iterations: number, threads: number): Promise<number> {
  const one = await secondsFor(code, iterations, 1);
  const many = await secondsFor(code, iterations, threads);
  return (threads * one) / many;
}

export async function parallelCeiling(threads: number): Promise<Ceiling> {
  return {
    arithmetic: await ratio(ARITHMETIC, ARITHMETIC_ITERATIONS, threads),
    allocating: await ratio(ALLOCATING, ALLOCATING_ITERATIONS, threads),
  };
}
