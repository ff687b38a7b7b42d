import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadFindings } from './findings.js';
import { generateDocs, leftoverDocs, staleDocs } from './generate.js';
import { sequenceOf } from './sequence/build.js';
import { labelBox } from './sequence/labels-layout.js';
import { esc, sequenceSvg } from './sequence/svg.js';

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
      // Every action whole: a clipped label lost its epoch, what tells two steps apart.
      // (The row's <title> holds the whole label in any case: look at the drawn text.)
      for (const step of seq.steps)
        expect(
          [`>${esc(step.label)}<`, `>${esc(step.label)} <tspan`].some((t) => svg.includes(t)),
          `${finding.file}: ${step.label}`,
        ).toBe(true);
      if (finding.counterexample.tool === 'explore')
        expect(seq.sendsKnown, finding.file).toBe(true);
    }
  });

  it('places message labels clear of one another and of the marks (by estimated width)', () => {
    let labels = 0;
    for (const finding of loadFindings(`${root}/counterexamples`)) {
      const svg = sequenceSvg(sequenceOf(finding.counterexample), finding.stem);
      const boxes = [
        ...svg.matchAll(/<text class="label" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</g),
      ].map((m) => labelBox(m[3] ?? '', Number(m[1]), Number(m[2])));
      labels += boxes.length;
      boxes.forEach((a, i) => {
        for (const b of boxes.slice(i + 1))
          expect(
            a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom,
            `${finding.file}: labels at ${a.left},${a.top} and ${b.left},${b.top}`,
          ).toBe(false);
      });
    }
    expect(labels).toBeGreaterThan(100);
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
