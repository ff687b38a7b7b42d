import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/temp-dir.js';
import { runReport } from './report.command.js';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('kd report', () => {
  it('refuses an unreadable --from file with one line and exit code 2', async () => {
    const lines: string[] = [];
    const out = tempDir('kd-report-test');
    const code = await runReport(
      { out, from: [join(out, 'missing.json')], runs: 1, seed: 1 },
      root,
      (l) => lines.push(l),
    );
    expect(code).toBe(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^kd: .*missing\.json: /);
  });

  it('refuses a --from file that is not a campaign summary, naming the field', async () => {
    const out = tempDir('kd-report-test');
    const file = join(out, 'bad.json');
    writeFileSync(file, '{"format": 1}');
    const lines: string[] = [];
    expect(
      await runReport({ out, from: [file], runs: 1, seed: 1 }, root, (l) => lines.push(l)),
    ).toBe(2);
    expect(lines[0]).toMatch(/bad\.json: .*kind/);
  });
});
