/**
 * A stage machine as Graphviz DOT, for the SVG diagrams: a compound or parallel state is a
 * cluster, an atomic state a rounded box that lists the transitions it handles without
 * leaving (`on event [guard]`), a targeted transition an edge labelled `event [guard]`.
 * A dot marks each region's initial state.
 */
import {
  type MachineGraph,
  ROOT_PATH,
  type StateBox,
  targetlessBySource,
  transitionLabel,
} from './graph.js';

export const toDot = (graph: MachineGraph): string => {
  const notes = targetlessBySource(graph);
  const rootNotes = notes.get(ROOT_PATH) ?? [];
  const title = [`${graph.name} (${graph.root.type})`, ...rootNotes.map((n) => `on ${n}`)];
  const lines = [
    `digraph ${quote(graph.name)} {`,
    `  graph [rankdir=LR compound=true fontname="Helvetica" fontsize=12 labelloc=t labeljust=l label=${quote(leftLines(title))}];`,
    '  node [shape=box style="rounded,filled" fillcolor="#eef3fb" color="#4a6fa5" fontname="Helvetica" fontsize=10 margin="0.2,0.06"];',
    '  edge [fontname="Helvetica" fontsize=9 color="#333333"];',
    ...childLines(graph.root, notes, '  '),
    ...graph.transitions.flatMap((t) =>
      t.targets.map(
        (target) =>
          `  ${quote(anchorOf(graph, t.source))} -> ${quote(anchorOf(graph, target))} [label=${quote(transitionLabel(t))}${clusterTail(graph, t.source)}];`,
      ),
    ),
    '}',
  ];
  return `${lines.join('\n')}\n`;
};

const childLines = (box: StateBox, notes: Map<string, string[]>, indent: string): string[] => {
  const lines: string[] = [];
  if (box.initial !== null) {
    const start = `init:${box.path}`;
    lines.push(`${indent}${quote(start)} [shape=point width=0.12 label=""];`);
    lines.push(`${indent}${quote(start)} -> ${quote(box.initial)};`);
  }
  for (const child of box.children) lines.push(...boxLines(child, notes, indent));
  return lines;
};

const boxLines = (box: StateBox, notes: Map<string, string[]>, indent: string): string[] => {
  const handled = (notes.get(box.path) ?? []).map((n) => `on ${n}`);
  if (box.children.length === 0) {
    const label = handled.length === 0 ? box.key : leftLines([box.key, '—', ...handled], true);
    return [`${indent}${quote(box.path)} [label=${quote(label)}];`];
  }
  const kind = box.type === 'parallel' ? ' (parallel)' : '';
  return [
    `${indent}subgraph ${quote(`cluster_${box.path}`)} {`,
    `${indent}  label=${quote(leftLines([`${box.key}${kind}`, ...handled]))}; style="rounded,dashed"; color="#7a8aa0";`,
    ...childLines(box, notes, `${indent}  `),
    `${indent}}`,
  ];
};

/** Edges attach to atomic boxes; an edge from a compound state starts at its first leaf. */
const anchorOf = (graph: MachineGraph, path: string): string => {
  const box = findBox(graph.root, path);
  if (!box || box.children.length === 0) return path;
  const first = box.children.find((c) => c.path === box.initial) ?? box.children[0];
  return first ? anchorOf(graph, first.path) : path;
};

const clusterTail = (graph: MachineGraph, path: string): string => {
  const box = findBox(graph.root, path);
  return box && box.children.length > 0 ? ` ltail=${quote(`cluster_${path}`)}` : '';
};

const findBox = (box: StateBox, path: string): StateBox | undefined =>
  box.path === path ? box : box.children.map((c) => findBox(c, path)).find(Boolean);

/** Lines of a label; `\l` left-aligns them (the first one centred when `titled`). */
const leftLines = (lines: readonly string[], titled = false): string => {
  if (lines.length <= 1) return lines[0] ?? '';
  const [first, ...rest] = lines;
  const body = rest.map((l) => `${escapeBackslashes(l)}\\l`).join('');
  return titled
    ? `${escapeBackslashes(first ?? '')}\\n${body}`
    : `${escapeBackslashes(first ?? '')}\\l${body}`;
};

/** A DOT string; labels built by `leftLines` are already escaped. */
const quote = (text: string): string => `"${text.replace(/"/g, '\\"')}"`;

const escapeBackslashes = (text: string): string => text.replace(/\\/g, '\\\\');
