import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedTempDir, tempDir } from '../test-support/temp-dir.js';
import {
  type CheckCliOptions,
  type CheckIo,
  parseDuration,
  parseShard,
  runCheck,
} from './check.command.js';
import { runMerge } from './merge.command.js';
import { runReplay } from './replay.command.js';

/** Collects what is written to it. */
const sink = () => {
  const parts: string[] = [];
  return {
    write: (text: string): void => {
      parts.push(text);
    },
    text: (): string => parts.join(''),
  };
};

/** What a run of kd check writes, and its working folder (a test's own unless given). */
const capture = (dir = tempDir('kd-check-test')) => {
  const out = sink();
  const err = sink();
  const io: CheckIo = {
    stdout: out.write,
    stderr: { write: err.write, isTTY: false },
    cwd: dir,
    counterexamplesDir: join(dir, 'counterexamples'),
  };
  return { io, dir, out: out.text, err: err.text };
};

const options = (over: Partial<CheckCliOptions> = {}): CheckCliOptions => ({
  profile: 'hardened',
  preset: 'tiny',
  runs: 6,
  seed: 3,
  mode: '',
  workers: 1,
  save: true,
  conformance: false,
  json: true,
  ...over,
});

describe('kd check options', () => {
  it('parses durations and shards, and names what is wrong with a bad one', () => {
    expect(parseDuration('60s')).toBe(60_000);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseShard('1/4')).toEqual({ index: 1, count: 4 });
    expect(() => parseDuration('soon')).toThrow(InvalidArgumentError);
    expect(parseDuration('90')).toBe(90_000); // a bare number is seconds
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(() => parseDuration('-5s')).toThrow(/positive/);
    expect(() => parseDuration('0s')).toThrow(/positive/);
    expect(() => parseDuration('5 parsecs')).toThrow(/expected a duration/);
    expect(() => parseShard('4/4')).toThrow(/0 <= i < n/);
  });

  it('refuses an unknown preset, profile or mutant with exit code 2', async () => {
    for (const bad of [
      { preset: 'huge' },
      { profile: 'nope' },
      { mutant: 'nope' },
      { mode: 'both-ways' },
    ]) {
      const c = capture();
      expect(await runCheck(options(bad), c.io)).toBe(2);
      expect(c.err()).toMatch(/unknown/);
      expect(c.err()).toContain('run `kd check --help` for usage');
    }
  });
});

describe('kd check', () => {
  it('prints the JSON of the issue, with coverage, and exits 0 on the hardened design', async () => {
    const c = capture();
    expect(await runCheck(options(), c.io)).toBe(0);
    const json = JSON.parse(c.out());
    expect(json.runs).toBe(6);
    expect(json.stepsPerSecond).toBeGreaterThan(0);
    expect(json.counterexample).toBeNull();
    expect(json.failure).toBeNull();
    expect(json.properties.map((p: { name: string }) => p.name)).toContain('capacity');
    expect(Object.keys(json.coverage.machines)).toEqual([
      'autoscaler',
      'deployment',
      'replicaset',
      'scheduler',
      'kubelet',
    ]);
  });

  describe('catching a mutant', () => {
    // One slow campaign that the tests below read: its folder lasts the block.
    const c = capture(sharedTempDir('kd-check-test'));
    let code: number;
    beforeAll(async () => {
      code = await runCheck(
        options({ mutant: 'no-inflight-accounting', runs: 200, json: false }),
        c.io,
      );
    }, 60_000);
    const saved = (): string => /saved (\S+)/.exec(c.out())?.[1] as string;

    it('saves the shrunk case, and kd replay reproduces it byte for byte', async () => {
      expect(code).toBe(0);
      expect(c.out()).toContain('mutant no-inflight-accounting caught by capacity');
      const file = join(c.dir, saved());
      expect(JSON.parse(readFileSync(file, 'utf8')).expected).toBe('expected-failure');
      const replays = [sink(), sink()];
      for (const out of replays)
        expect(await runReplay(file, {}, { out: out.write, err: () => {} })).toBe(0);
      expect(replays[0]?.text()).toEqual(replays[1]?.text());
      expect(replays[0]?.text()).toContain('byte for byte');
    });

    it('prints the trace as what changed per step, no wider than a terminal', () => {
      const lines = c.out().split('\n');
      const first = lines.findIndex((line) => /^ +0 {2}initial state$/.test(line));
      expect(first).toBeGreaterThan(0);
      expect(lines[first + 1]).toMatch(/^ {8,}load /);
      const trace = lines.slice(
        first,
        lines.findIndex((l) => l.startsWith('> the property')),
      );
      expect(Math.max(...trace.map((line) => line.length))).toBeLessThanOrEqual(120);
      expect(trace.some((line) => / \| .* \| /.test(line))).toBe(false);
    });

    it('prints the kd replay command line that reruns the saved case', () => {
      expect(c.out()).toContain(`rerun: kd replay ${saved()}`);
    });

    it('ends with the verdict, after the coverage notes', () => {
      const lines = c.out().trimEnd().split('\n');
      expect(lines.at(-1)).toBe('mutant no-inflight-accounting caught by capacity, as expected');
      expect(lines.at(-2)).toMatch(/^runs \d+, steps [\d,]+, .*faults injected/);
      const notes = lines.flatMap((line, i) =>
        /^ {2}(unreachable|not covered):/.test(line) ? [i] : [],
      );
      expect(notes.length).toBeGreaterThan(0);
      const lastNote = Math.max(...notes);
      expect(lastNote).toBeLessThan(lines.findIndex((line) => line.startsWith('violated')));
    });

    it('kd replay prints what changed per step too', async () => {
      const out = sink();
      await runReplay(join(c.dir, saved()), {}, { out: out.write, err: () => {} });
      expect(out.text()).toMatch(/\n +0 {2}initial state\n {8,}load /);
    });
  });

  it('--json --no-save says which property failed, when, and how small the shrunk case is', async () => {
    const c = capture();
    const code = await runCheck(
      options({ mutant: 'no-inflight-accounting', runs: 200, save: false }),
      c.io,
    );
    expect(code).toBe(0);
    const json = JSON.parse(c.out());
    expect(json.counterexample).toBeNull();
    expect(json.failure).toMatchObject({
      property: 'capacity',
      kind: 'always',
      counterexample: null,
      livenessStepMax: 20_000,
    });
    expect(json.failure.runsToDetect).toBeGreaterThanOrEqual(1);
    expect(json.failure.runsToDetect).toBeLessThanOrEqual(json.runs);
    expect(json.failure.secondsToDetect).toBeGreaterThanOrEqual(0);
    expect(json.failure.secondsToDetect).toBeLessThanOrEqual(json.seconds);
    expect(json.failure.choices).toBeGreaterThanOrEqual(0);
    expect(json.failure.traceSteps).toBeGreaterThan(json.failure.choices);
    expect(existsSync(join(c.dir, 'counterexamples'))).toBe(false);
  });

  it('runs shards that kd merge combines into the whole campaign', async () => {
    const c = capture();
    const files = [0, 1].map((i) => join(c.dir, `shard-${i}.json`));
    for (const [i, out] of files.entries())
      await runCheck(options({ shard: { index: i, count: 2 }, out }), capture().io);
    const merged = sink();
    expect(await runMerge(files, { json: true }, { out: merged.write, err: () => {} })).toBe(0);
    expect(JSON.parse(merged.text()).runs).toBe(6);
  });
});

describe('kd check --out is checked before the campaign runs', () => {
  /** Exit 2, the campaign not run (nothing on stdout), one line and the hint on stderr. */
  const expectRefused = async (out: string, problem: RegExp, prepare?: (dir: string) => void) => {
    const c = capture();
    prepare?.(c.dir);
    expect(await runCheck(options({ out }), c.io)).toBe(2);
    expect(c.out()).toBe('');
    const lines = c.err().trimEnd().split('\n');
    expect(lines).toEqual([expect.stringMatching(problem), 'run `kd check --help` for usage']);
    return c;
  };

  it('a folder that does not exist', () =>
    expectRefused('no-such-folder/out.json', /--out: the folder .*no-such-folder does not exist/));

  it('a folder that is a file', () =>
    expectRefused('plain/out.json', /plain is not a folder/, (dir) =>
      writeFileSync(join(dir, 'plain'), 'x'),
    ));

  it('a path that is a folder', () =>
    expectRefused('results', /results is a folder, not a file/, (dir) =>
      mkdirSync(join(dir, 'results')),
    ));

  it('a committed counterexample (it used to be replaced by the result)', async () => {
    const text = JSON.stringify({ format: 1, tool: 'check', steps: [] });
    const c = await expectRefused(
      'counterexamples/check-small-x.json',
      /counterexamples folder/,
      (dir) => {
        mkdirSync(join(dir, 'counterexamples'));
        writeFileSync(join(dir, 'counterexamples', 'check-small-x.json'), text);
      },
    );
    expect(readFileSync(join(c.dir, 'counterexamples', 'check-small-x.json'), 'utf8')).toBe(text);
  });

  it('a new file in the counterexamples folder', () =>
    expectRefused('counterexamples/new.json', /counterexamples folder/, (dir) =>
      mkdirSync(join(dir, 'counterexamples')),
    ));

  it('a counterexample file outside the folder', () =>
    expectRefused(
      'mine.json',
      /mine\.json is a counterexample file; it is never overwritten/,
      (dir) =>
        writeFileSync(join(dir, 'mine.json'), JSON.stringify({ tool: 'explore', steps: [] })),
    ));

  it('replaces an earlier result through a temporary file, leaving nothing beside it', async () => {
    const c = capture();
    writeFileSync(join(c.dir, 'result.json'), '{"runs": 1}');
    expect(await runCheck(options({ out: 'result.json' }), c.io)).toBe(0);
    expect(JSON.parse(readFileSync(join(c.dir, 'result.json'), 'utf8')).runs).toBe(6);
    expect(readdirSync(c.dir).sort()).toEqual(['result.json']);
  });
});

describe('bad files', () => {
  it('kd replay names the field of a malformed counterexample and keeps the file', async () => {
    const c = capture();
    const file = join(c.dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ format: 1, kind: 'safety' }));
    const err = sink();
    expect(await runReplay(file, {}, { out: () => {}, err: err.write })).toBe(2);
    expect(err.text()).toMatch(/tool/);
    expect(readFileSync(file, 'utf8')).toContain('"format"');
  });

  it('kd merge refuses a file that is not a result, naming it', async () => {
    const c = capture();
    const file = join(c.dir, 'other.json');
    writeFileSync(file, '{"runs": "many"}');
    const err = sink();
    expect(await runMerge([file], {}, { out: () => {}, err: err.write })).toBe(2);
    expect(err.text()).toContain('other.json');
  });
});

describe('kd check --property', () => {
  it('hunts one property: the artifact profile violates it, exit 0, saved as expected-failure', async () => {
    const { io, dir, out } = capture();
    const code = await runCheck(
      options({
        profile: 'artifact',
        property: 'no-orphan-exposure',
        preset: 'small',
        runs: 300,
        seed: 2,
        json: false,
      }),
      io,
    );
    expect(out()).toContain('the artifact profile violates no-orphan-exposure');
    expect(code).toBe(0);
    const saved = JSON.parse(
      readFileSync(
        join(dir, 'counterexamples', 'check-small-artifact-no-orphan-exposure.json'),
        'utf8',
      ),
    );
    expect(saved.expected).toBe('expected-failure');
    expect(saved.source.command).toContain('--property no-orphan-exposure');
  });

  it('names an unknown property and exits 2', async () => {
    const { io, err } = capture();
    expect(await runCheck(options({ property: 'no-such-property' }), io)).toBe(2);
    expect(err()).toContain("unknown property 'no-such-property'");
  });
});
