// kd merge takes every shard of one campaign, each once: anything else would count runs
// twice, mix two campaigns or report a part as the whole. Each is one line, exit 2.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CampaignSummary } from '../checker/check/summary.js';
import { tempDir } from '../test-support/temp-dir.js';
import { runMerge } from './merge.command.js';

/** A shard's result as `kd check --shard i/n --out` writes it (no failure, no coverage). */
const summary = (shard: string | null, over: Partial<CampaignSummary> = {}): CampaignSummary => ({
  format: 1,
  kind: 'kd-check-result',
  profile: 'hardened',
  mutant: null,
  preset: 'tiny',
  modes: ['direct', 'api'],
  seed: 3,
  shard,
  conformance: false,
  runs: 3,
  steps: 300,
  seconds: 0.5,
  faults: { drops: 1 },
  hits: [],
  violated: [],
  failure: null,
  coverage: null,
  ...over,
});

const folder = () => tempDir('kd-merge-test');

const write = (dir: string, name: string, value: CampaignSummary): string => {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
};

const merged = async (files: string[], options: { out?: string } = {}, cwd?: string) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runMerge(
    files,
    { json: true, ...options },
    {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      ...(cwd === undefined ? {} : { cwd, counterexamplesDir: join(cwd, 'counterexamples') }),
    },
  );
  return { code, out: out.join(''), err: err.join('') };
};

/** Exit 2, nothing printed on stdout, one line on stderr matching `problem`. */
const expectRefused = async (files: string[], problem: RegExp, options = {}, cwd?: string) => {
  const { code, out, err } = await merged(files, options, cwd);
  expect(code).toBe(2);
  expect(out).toBe('');
  expect(err).toMatch(problem);
  return err;
};

describe('kd merge refuses what is not every shard of one campaign once', () => {
  it('the same file twice', async () => {
    const dir = folder();
    const s0 = write(dir, 's0.json', summary('0/2'));
    write(dir, 's1.json', summary('1/2'));
    await expectRefused([s0, s0], /s0\.json is given twice/);
  });

  it('two copies of one shard', async () => {
    const dir = folder();
    const s0 = write(dir, 's0.json', summary('0/2'));
    const copy = join(dir, 'copy.json');
    copyFileSync(s0, copy);
    await expectRefused([s0, copy], /s0\.json and .*copy\.json are both shard 0\/2/);
  });

  it('shards of campaigns with different seeds', async () => {
    const dir = folder();
    const s0 = write(dir, 's0.json', summary('0/2'));
    const s1 = write(dir, 's1.json', summary('1/2', { seed: 4 }));
    await expectRefused([s0, s1], /s1\.json is a shard of another campaign .*: seed 4 vs 3/);
  });

  it('shards of campaigns with different presets', async () => {
    const dir = folder();
    const s0 = write(dir, 's0.json', summary('0/2'));
    const s1 = write(dir, 's1.json', summary('1/2', { preset: 'small' }));
    await expectRefused([s0, s1], /preset small vs tiny/);
  });

  it('shards of a campaign cut in a different number of shards', async () => {
    const dir = folder();
    const s0 = write(dir, 's0.json', summary('0/2'));
    const s1 = write(dir, 's1.json', summary('1/3'));
    await expectRefused([s0, s1], /shards 3 vs 2/);
  });

  it('a missing shard', async () => {
    const dir = folder();
    const files = [0, 1].map((i) => write(dir, `s${i}.json`, summary(`${i}/3`)));
    await expectRefused(files, /shards? 2\/3 of 3 missing/);
  });

  it('a lone shard', async () => {
    const dir = folder();
    await expectRefused([write(dir, 's1.json', summary('1/2'))], /0\/2 of 2 missing/);
  });

  it('a whole campaign among shards', async () => {
    const dir = folder();
    const whole = write(dir, 'whole.json', summary(null, { modes: ['direct', 'api'] }));
    const s0 = write(dir, 's0.json', summary('0/2'));
    await expectRefused([s0, whole], /another campaign|whole campaign/);
  });

  it('--out onto a counterexample file, before reading the shards', async () => {
    const dir = folder();
    const files = [0, 1].map((i) => write(dir, `s${i}.json`, summary(`${i}/2`)));
    const target = join(dir, 'found.json');
    writeFileSync(target, JSON.stringify({ format: 1, tool: 'check', steps: [] }));
    await expectRefused(files, /found\.json is a counterexample file/, { out: target });
    expect(JSON.parse(readFileSync(target, 'utf8')).tool).toBe('check');
  });

  it('--out into the counterexamples folder', async () => {
    const dir = folder();
    mkdirSync(join(dir, 'counterexamples'));
    const files = [0, 1].map((i) => write(dir, `s${i}.json`, summary(`${i}/2`)));
    await expectRefused(
      files,
      /in the counterexamples folder/,
      { out: 'counterexamples/m.json' },
      dir,
    );
  });
});

describe('kd merge', () => {
  it('adds up every shard of one campaign, given in any order, and writes --out', async () => {
    const dir = folder();
    const files = [2, 0, 1].map((i) => write(dir, `s${i}.json`, summary(`${i}/3`)));
    const { code, out } = await merged(files, { out: 'merged.json' }, dir);
    expect(code).toBe(0);
    expect(JSON.parse(out).runs).toBe(9);
    expect(JSON.parse(readFileSync(join(dir, 'merged.json'), 'utf8')).runs).toBe(9);
  });
});
