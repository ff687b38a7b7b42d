/**
 * A stage machine as Mermaid `stateDiagram-v2` text: compound states nest, the regions of a
 * parallel state are separated by `--`, guarded transitions carry `event [guard]`, and the
 * transitions that only run actions (no target) are listed in a note on their state, since
 * drawing each as a self-loop would bury the lifecycle under arrows.
 */
import {
  type MachineGraph,
  ROOT_PATH,
  type StateBox,
  targetlessBySource,
  transitionLabel,
} from './graph.js';

export const toMermaid = (graph: MachineGraph): string => {
  const lines = ['stateDiagram-v2'];
  const notes = targetlessBySource(graph);
  lines.push(...boxLines(graph, graph.root, notes, '  '));
  for (const t of graph.transitions) {
    if (t.targets.length === 0) continue;
    for (const target of t.targets)
      lines.push(`  ${mermaidId(graph, t.source)} --> ${mermaidId(graph, target)} : ${label(t)}`);
  }
  for (const [source, labels] of notes) {
    if (source === ROOT_PATH) continue;
    lines.push(`  note right of ${mermaidId(graph, source)}`, ...labels.map((l) => `    on ${l}`));
    lines.push('  end note');
  }
  const rootNotes = notes.get(ROOT_PATH);
  if (rootNotes) lines.push(`  %% in every state: ${rootNotes.join('; ')}`);
  return `${lines.join('\n')}\n`;
};

/** A state's declaration, its children inside it, and its initial-state arrow. */
const boxLines = (
  graph: MachineGraph,
  box: StateBox,
  notes: Map<string, string[]>,
  indent: string,
): string[] => {
  // Mermaid separates regions with `--` only inside a state, so a parallel root is wrapped.
  if (box.path === ROOT_PATH && box.type !== 'parallel')
    return childLines(graph, box, notes, indent);
  const id = mermaidId(graph, box.path);
  const title = box.type === 'parallel' ? `${box.key} (parallel)` : box.key;
  if (box.children.length === 0) return [`${indent}state "${title}" as ${id}`];
  return [
    `${indent}state "${title}" as ${id} {`,
    ...childLines(graph, box, notes, `${indent}  `),
    `${indent}}`,
  ];
};

const childLines = (
  graph: MachineGraph,
  box: StateBox,
  notes: Map<string, string[]>,
  indent: string,
): string[] => {
  const lines: string[] = [];
  if (box.initial !== null) lines.push(`${indent}[*] --> ${mermaidId(graph, box.initial)}`);
  box.children.forEach((child, i) => {
    // Regions of a parallel state are separated by `--` in Mermaid.
    if (box.type === 'parallel' && i > 0) lines.push(`${indent}--`);
    lines.push(...boxLines(graph, child, notes, indent));
  });
  return lines;
};

/** Mermaid ids are single words: `deployment_link_connected`. */
const mermaidId = (graph: MachineGraph, path: string): string =>
  `${graph.name}_${path.replace(/[^A-Za-z0-9]+/g, '_')}`;

/** Mermaid ends a label at a colon; none of ours has one, but keep the text safe. */
const label = (t: Parameters<typeof transitionLabel>[0]): string =>
  transitionLabel(t).replace(/:/g, '∶');
