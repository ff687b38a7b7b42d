// kd replay refuses a counterexample file it cannot replay as written: exit 2, one line
// naming the file and the field, and the file left as it was.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BadFileError } from '../checker/bad-file.js';
import { loadCounterexample } from '../checker/trace/load.js';
import { tempDir } from '../test-support/temp-dir.js';
import { runReplay } from './replay.command.js';

const SOURCE = fileURLToPath(
  new URL(
    '../counterexamples/check-small-hardened-epoch-counter-resets-handshake-epochs-increase.json',
    import.meta.url,
  ),
);

/** The parts of the file the tests edit. */
interface Editable {
  impl: { schedule: Record<string, unknown>[]; pods: number; functions: number; seed: number };
  switches: Record<string, unknown>;
}

type Edit = (cx: Editable) => void;

/** A copy of a committed check counterexample (mutant epoch-counter-resets), edited. */
const edited = (edit: Edit): string => {
  const file = join(tempDir('kd-replay-test'), 'edited.json');
  copyFileSync(SOURCE, file);
  const cx = JSON.parse(readFileSync(file, 'utf8'));
  edit(cx);
  writeFileSync(file, JSON.stringify(cx, null, 2));
  return file;
};

const replayed = async (file: string) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runReplay(file, {}, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join(''), err: err.join('') };
};

const expectRefused = async (edit: Edit, field: RegExp) => {
  const file = edited(edit);
  const before = readFileSync(file, 'utf8');
  const { code, out, err } = await replayed(file);
  expect(code).toBe(2);
  expect(out).toBe('');
  expect(err.trimEnd().split('\n')).toHaveLength(1);
  expect(err).toContain('edited.json');
  expect(err).toMatch(field);
  expect(readFileSync(file, 'utf8')).toBe(before);
};

describe('kd replay refuses a file it cannot replay as written', () => {
  it('a choice index beyond what the fuzzer draws (it was wrapped around the events)', () =>
    expectRefused((cx) => {
      cx.impl.schedule = [{ kind: 'take', index: 41 }];
    }, /impl\.schedule\[0\]\.index: .*<=40/));

  it('a stage number beyond the stages', () =>
    expectRefused((cx) => {
      cx.impl.schedule = [{ kind: 'crashOrRestart', stage: 99 }];
    }, /impl\.schedule\[0\]\.stage/));

  it('a case too large to replay (impl.pods 1e8 used to hang)', () =>
    expectRefused((cx) => {
      cx.impl.pods = 1e8;
    }, /impl\.pods: .*<=100/));

  it('too many functions', () =>
    expectRefused((cx) => {
      cx.impl.functions = 21;
    }, /impl\.functions/));

  it('a seed outside the PRNG range', () =>
    expectRefused((cx) => {
      cx.impl.seed = 2 ** 32;
    }, /impl\.seed/));

  it('an unknown switch', () =>
    expectRefused((cx) => {
      cx.switches.bogusSwitch = true;
    }, /switches: Unrecognized key: "bogusSwitch"/));

  it('a value the switch does not take', () =>
    expectRefused((cx) => {
      cx.switches.fence = 'sometimes';
    }, /switches\.fence/));

  it('a switch set against the mutant', () =>
    expectRefused((cx) => {
      cx.switches.epochCounterPerIncarnation = true;
    }, /switches\.epochCounterPerIncarnation: true, but mutant epoch-counter-resets sets it false/));
});

describe('a bad file is told from a bug', () => {
  it('is a BadFileError, which every command reports as one line and exit 2', () => {
    const file = edited((cx) => {
      cx.impl.pods = 1e8;
    });
    expect(() => loadCounterexample(file)).toThrow(BadFileError);
    expect(() => loadCounterexample(join(tmpdir(), 'no-such-file.json'))).toThrow(BadFileError);
  });
});

describe('kd replay runs the switches the file records', () => {
  it('an unedited file replays byte for byte', async () => {
    const { code, out } = await replayed(edited(() => {}));
    expect(code).toBe(0);
    expect(out).toContain('byte for byte');
  });
});
