import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOC_PATH, gatedTable, probesTable, unreachableTable } from './coverage-doc.js';

describe('docs/design/coverage.md', () => {
  it('shows the unreachable lists and the probes as the code has them (coverage-doc.ts)', () => {
    const doc = readFileSync(DOC_PATH, 'utf8');
    expect(doc).toContain(unreachableTable());
    expect(doc).toContain(gatedTable());
    expect(doc).toContain(probesTable());
  });
});
