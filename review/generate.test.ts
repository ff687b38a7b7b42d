import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadFindings } from './findings.js';
import { generateDocs, leftoverDocs, staleDocs } from './generate.js';
import { sequenceOf } from './sequence/build.js';
import { sequenceSvg } from './sequence/svg.js';

const root = fileURLToPath(new URL('../', import.meta.url));

describe('kd docs', () => {
  it('committed artefacts in docs/ are what kd docs generates now (run kd docs if not)', async () => {
    const files = await generateDocs(root);
    expect(staleDocs(root, files)).toEqual([]);
    expect(leftoverDocs(root, files)).toEqual([]);
  });

  it('generates the same bytes twice', async () => {
    const [a, b] = [await generateDocs(root), await generateDocs(root)];
    expect([...a.keys()]).toEqual([...b.keys()]);
    for (const [path, content] of a) expect(b.get(path), path).toBe(content);
  });

  it('draws every committed counterexample with its failing step and epoch-labelled messages', () => {
    for (const finding of loadFindings(`${root}/counterexamples`)) {
      const seq = sequenceOf(finding.counterexample);
      const svg = sequenceSvg(seq, finding.stem);
      expect(svg, finding.file).toContain(`data-step="${seq.failingStep}"`);
      expect(svg).toContain('class="step failing"');
      const messages = seq.events.filter((e) => e.kind === 'message');
      for (const m of messages) expect(m.label, finding.file).toMatch(/ e=\S+/);
      // Model traces are replayed, so their sends are exact.
      if (finding.counterexample.tool === 'explore')
        expect(seq.sendsKnown, finding.file).toBe(true);
    }
  });
});

describe('docs/design.md', () => {
  it('links only to counterexample pages that exist', async () => {
    const { readFileSync, existsSync } = await import('node:fs');
    const text = readFileSync(`${root}/docs/design.md`, 'utf8');
    const links = [...text.matchAll(/\]\((counterexamples\/[^)]+\.md)\)/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(10);
    for (const link of links) expect(existsSync(`${root}/docs/${link}`), link).toBe(true);
  });
});
