/**
 * What this machine gives N threads at once: the same fixed loop of integer arithmetic run in
 * one worker thread, then in N at once, and the work done per second compared. On a machine
 * with N free cores it is N; on this one's two vCPUs it has been about 1.3 (noisy
 * neighbours, shared physical cores), which bounds any speed-up `--workers` can show, so the
 * explorer benchmark prints it beside its own ratio, measured in the same minute.
 */
import { Worker } from 'node:worker_threads';

/** Loop iterations per thread: about half a second on this machine. */
const ITERATIONS = 200_000_000;

const SPIN = `
const { parentPort, workerData } = require('node:worker_threads');
let x = 0;
for (let i = 0; i < workerData; i++) x = (x + Math.imul(i, 0x9e3779b1)) | 0;
parentPort.postMessage(x);
`;

function spin(): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(SPIN, { eval: true, workerData: ITERATIONS });
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
}

async function secondsFor(threads: number): Promise<number> {
  const start = performance.now();
  await Promise.all(Array.from({ length: threads }, spin));
  return (performance.now() - start) / 1000;
}

/** N threads' work per second over one thread's (N when every thread has a core of its own). */
export async function parallelCeiling(threads: number): Promise<number> {
  const one = await secondsFor(1);
  const many = await secondsFor(threads);
  return (threads * one) / many;
}
