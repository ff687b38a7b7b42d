/**
 * A process of the live cluster as its supervisor sees it: forked with the tsx loader and
 * an IPC channel, what it needs to know in its environment. It can be killed (-9, as the
 * chaos test does) and started again the same way, so it listens where its peers expect
 * it. What it wrote to stderr lately is kept for the message that reports its death.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';

const TSX_LOADER = createRequire(import.meta.url).resolve('tsx');
const STDERR_KEPT = 4_096;

export interface ChildEvents<Message> {
  readonly onMessage: (message: Message) => void;
  /** The process ended without being asked to (`stop`); `code`/`signal` as Node gives them. */
  readonly onExit: (code: number | null, signal: NodeJS.Signals | null, stderr: string) => void;
}

export class ForkedChild<Message, Order = unknown> {
  private child: ChildProcess | null = null;
  private stopping = false;
  private stderr = '';
  /** How many times it was started. */
  starts = 0;

  constructor(
    readonly name: string,
    /** The entry point's file. */
    private readonly main: string,
    /** Its environment's own variables, for its `starts`-th start. */
    private readonly variables: (starts: number) => Record<string, string>,
    private readonly events: ChildEvents<Message>,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null;
  }

  start(): void {
    if (this.child) throw new Error(`${this.name} is already running`);
    this.stopping = false;
    this.stderr = '';
    this.starts += 1;
    const child = fork(this.main, [], {
      execArgv: ['--import', TSX_LOADER],
      env: { ...process.env, ...this.variables(this.starts) },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child = child;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      this.stderr = (this.stderr + text).slice(-STDERR_KEPT);
    });
    child.on('message', (message) => this.events.onMessage(message as Message));
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      if (!this.stopping) this.events.onExit(code, signal, this.stderr);
    });
  }

  send(message: Order): void {
    const child = this.child;
    if (child?.connected) child.send(message as object, (error) => error && undefined);
  }

  /** Kills it with `signal` (a crash, reported through `onExit` like any other death). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child?.kill(signal);
  }

  /** Stops it for good: SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 3_000): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.stopping = true;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
