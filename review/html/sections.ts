/**
 * The sections of the review report, each a function of plain data: the campaign summary,
 * the committed findings and the machine diagrams.
 */

import { faultMatrix, summaryLine } from '../../checker/check/print.js';
import { type CampaignSummary, propertyRows } from '../../checker/check/summary.js';
import type { CoverageReport } from '../../checker/coverage/index.js';
import { CATALOGUE } from '../../properties/catalogue.js';
import { type Finding, openAgainstHardened, profileDifference, whyItFails } from '../findings.js';
import { catalogueRows } from '../pages/catalogue.js';
import { origin } from '../pages/counterexamples.js';
import type { MachineDiagram } from '../pages/machines.js';
import { cellText, MATRIX_PROPERTIES, matrixRows } from '../pages/matrix.js';
import { sequenceOf } from '../sequence/build.js';
import { esc, sequenceSvg } from '../sequence/svg.js';

const anchor = (f: Finding): string => `cx-${f.stem}`;
const link = (f: Finding, text: string): string => `<a href="#${anchor(f)}">${esc(text)}</a>`;

export const summarySection = (
  s: CampaignSummary,
  source: string,
  findings: readonly Finding[],
): string => {
  const byTool = (tool: string) => findings.filter((f) => f.counterexample.tool === tool).length;
  return [
    '<section id="summary"><h2>Summary</h2>',
    `<p>Campaign: ${esc(source)} — profile <b>${esc(s.profile)}</b>${s.mutant ? `, mutant <b>${esc(s.mutant)}</b>` : ''}, preset ${esc(s.preset)}, paths ${esc(s.modes.join(' + '))}, seed ${s.seed}, conformance ${s.conformance ? 'checked' : 'not checked'}.</p>`,
    `<pre>${esc(summaryLine(s))}</pre>`,
    `<p>Committed counterexamples: ${findings.length} (${byTool('explore')} explored on the model, ${byTool('check')} checked on the implementation). Each is drawn below with the reason it fails.</p>`,
    s.failure
      ? `<p class="what">This campaign found a violation of <b>${esc(s.failure.property)}</b>: ${esc(s.failure.message)}</p>`
      : `<p>This campaign found no violation in its ${s.runs} runs.</p>`,
    openFindingsLine(findings),
    '</section>',
  ].join('\n');
};

/** The committed verdict on our design, whatever this campaign found. */
const openFindingsLine = (findings: readonly Finding[]): string => {
  const open = openAgainstHardened(findings);
  if (open.length === 0) {
    const fixed = findings.filter(
      (f) => f.subject === 'hardened' && f.counterexample.expected === 'fixed',
    ).length;
    return `<p class="open-findings">No open counterexample against hardened (${fixed} fixed, each replayed by the test suite).</p>`;
  }
  const one = open.length === 1;
  return `<p class="what open-findings">${open.length} open counterexample${one ? '' : 's'} against hardened still fail${one ? 's' : ''}: ${open.map((f) => link(f, f.stem)).join(', ')}.</p>`;
};

export const propertySection = (s: CampaignSummary, findings: readonly Finding[]): string => {
  const catalogue = new Map(catalogueRows(findings).map((r) => [r.name, r]));
  const rows = propertyRows(s).map((p) => {
    const c = catalogue.get(p.name);
    return `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.kind)}</td><td class="${p.status}">${p.status}</td><td>${esc(c?.statement ?? '')}</td><td>${esc((c?.violatedBy ?? []).join(', '))}</td><td>${c?.minimal ? link(c.minimal, `${c.minimal.stem} (${c.minimal.traceLength} steps)`) : ''}</td></tr>`;
  });
  return [
    '<section id="properties"><h2>Properties</h2>',
    `<p class="muted">Status in this campaign (${CATALOGUE.safety.length} safety, ${CATALOGUE.liveness.length} liveness, ${CATALOGUE.reachability.length} reachability guards, and conformance), the statement, who violates it among the committed counterexamples, and the shortest one.</p>`,
    '<table><tr><th>property</th><th>kind</th><th>this campaign</th><th>statement</th><th>violated by (committed)</th><th>minimal counterexample</th></tr>',
    ...rows,
    '</table></section>',
  ].join('\n');
};

export const coverageSection = (s: CampaignSummary): string => {
  const report = s.coverage as CoverageReport | null;
  const machines = report === null ? [] : Object.entries(report.machines);
  const rows = machines.map(
    ([name, m]) =>
      `<tr><td>${esc(name)}</td><td>${m.states.visited}/${m.states.total}</td><td>${m.transitions.visited}/${m.transitions.total}</td><td>${m.transitions.missing.map((id) => `<div><code>${esc(id)}</code></div>`).join('')}</td></tr>`,
  );
  return [
    '<section id="coverage"><h2>Coverage</h2>',
    '<h3>Stage machines</h3>',
    report === null
      ? '<p>No coverage recorded.</p>'
      : `<table><tr><th>machine</th><th>states</th><th>transitions</th><th>transitions not taken</th></tr>${rows.join('')}</table>`,
    '<h3>Faults injected, by kind and target</h3>',
    `<pre>${esc(faultMatrix(s).join('\n'))}</pre>`,
    '</section>',
  ].join('\n');
};

export const matrixSection = (findings: readonly Finding[]): string => {
  const byStem = new Map(findings.map((f) => [f.stem, f]));
  const rows = matrixRows(findings).map((row) => {
    const cells = row.cells.map((c) => {
      const text = cellText(c, (f) => `#${anchor(f)}`);
      const html = text.replace(
        /\[([^\]]+)\]\(#cx-([^)]+)\)/g,
        (_m, label: string, stem: string) =>
          byStem.has(stem) ? `<a href="#cx-${stem}">${esc(label)}</a>` : esc(label),
      );
      const target = c.property === row.target ? ' target' : '';
      return `<td class="${c.status === 'not recorded' ? '' : c.status === 'violated' ? 'violated' : 'holds'}${target}">${html}</td>`;
    });
    return `<tr><th><code>${esc(row.subject)}</code></th>${cells.join('')}</tr>`;
  });
  return [
    '<section id="matrix"><h2>Design-space matrix</h2>',
    '<p class="muted">Profiles and mutants × properties, from the committed counterexamples: ✗ violated, with the shortest trace explored on the model (E) and checked on the implementation (C), each a link to its diagram; ✓ holds (hardened: no open counterexample); empty: not recorded (a tool stops at the first violation). A red frame marks the property a mutant names.</p>',
    `<table class="matrix"><tr><th></th>${MATRIX_PROPERTIES.map((p) => `<th class="prop">${esc(p)}</th>`).join('')}</tr>`,
    ...rows,
    '</table></section>',
  ].join('\n');
};

export const findingsSection = (findings: readonly Finding[]): string => {
  // Said once here rather than on every card of the profile.
  const profiles = [...new Set(findings.map((f) => f.counterexample.profile))].filter(
    (p) => p !== 'hardened',
  );
  return [
    '<section id="counterexamples"><h2>Counterexamples</h2>',
    ...profiles.map((p) => `<p class="switches">${esc(profileDifference(p))}</p>`),
    ...findings.map(findingHtml),
    '</section>',
  ].join('\n');
};

const findingHtml = (f: Finding): string => {
  const cx = f.counterexample;
  const svg = sequenceSvg(sequenceOf(cx), f.stem);
  return [
    `<article class="finding" id="${anchor(f)}"><h3>${esc(f.stem)}</h3>`,
    `<p><b>${esc(cx.property)}</b> (${esc(cx.kind)}) fails after step ${cx.failingStep}; ${esc(origin(f))}; expected outcome <code>${esc(cx.expected)}</code>; replay with <code>kd replay counterexamples/${esc(f.file)}</code>.</p>`,
    `<p class="why"><b>Why.</b> ${esc(whyItFails(cx, true))}</p>`,
    `<p class="what"><b>What fails.</b> ${esc(cx.message)}</p>`,
    `<div class="diagram"><div class="svgbox">${svg}</div><div class="state-panel">Point at a step to see the key state after it.</div></div>`,
    `<details><summary>Trace</summary><pre>${esc(cx.trace.join('\n'))}</pre></details>`,
    '</article>',
  ].join('\n');
};

export const machinesSection = (diagrams: readonly MachineDiagram[]): string =>
  [
    '<section id="machines"><h2>Stage machines</h2>',
    '<p class="muted">Drawn from the xstate definitions: dashed frames are compound states or regions of a parallel state; edges are labelled <code>event [guard]</code>; the lines under a state name are events it handles without leaving.</p>',
    ...diagrams.map(
      (d) => `<div class="machine" id="machine-${d.name}"><h3>${esc(d.name)}</h3>${d.svg}</div>`,
    ),
    '</section>',
  ].join('\n');
