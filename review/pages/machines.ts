/**
 * `docs/machines/`: each stage machine's state diagram, as Mermaid text and as SVG rendered
 * by Graphviz, and an index page that shows both.
 */
import { STAGES } from '../../impl/stages/registry.js';
import { toDot } from '../machines/dot.js';
import { machineGraph } from '../machines/graph.js';
import { toMermaid } from '../machines/mermaid.js';
import { renderDot } from '../machines/svg.js';
import { generatedNotice, page } from './markdown.js';

export interface MachineDiagram {
  readonly name: string;
  readonly mermaid: string;
  readonly svg: string;
  readonly states: number;
  readonly transitions: number;
}

export const machineDiagrams = async (): Promise<MachineDiagram[]> => {
  const out: MachineDiagram[] = [];
  for (const [name, module] of Object.entries(STAGES)) {
    const graph = machineGraph(name, module.machine);
    out.push({
      name,
      mermaid: toMermaid(graph),
      svg: await renderDot(toDot(graph)),
      states: countStates(graph.root),
      transitions: graph.transitions.length,
    });
  }
  return out;
};

const countStates = (box: { children: readonly unknown[] }): number =>
  (box.children as { children: readonly unknown[] }[]).reduce(
    (n, child) => n + 1 + countStates(child),
    0,
  );

export const machinePages = (diagrams: readonly MachineDiagram[]): Map<string, string> => {
  const files = new Map<string, string>();
  for (const d of diagrams) {
    files.set(`machines/${d.name}.mmd`, d.mermaid);
    files.set(`machines/${d.name}.svg`, d.svg);
  }
  files.set('machines/README.md', page(indexLines(diagrams)));
  return files;
};

const indexLines = (diagrams: readonly MachineDiagram[]): string[] => [
  ...generatedNotice('the xstate definitions in impl/stages/*.machine.ts (machine.toJSON())'),
  '# The stage machines',
  '',
  'One diagram per stage, drawn from the machine definitions themselves. A dashed frame is a',
  'compound state (or a region of a parallel one); an edge is a transition labelled',
  '`event [guard]` (`always` = eventless); the lines under a state name list the events it',
  'handles without leaving it. Edges and coverage ids (docs/design/coverage.md) name the',
  'same transitions.',
  '',
  ...diagrams.flatMap((d) => [
    `## ${d.name}`,
    '',
    `${d.states} states, ${d.transitions} transitions.`,
    '',
    `![${d.name} state machine](${d.name}.svg)`,
    '',
    '```mermaid',
    d.mermaid.trimEnd(),
    '```',
    '',
  ]),
];
