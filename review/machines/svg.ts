/**
 * DOT to SVG with Graphviz compiled to WebAssembly (@hpcc-js/wasm-graphviz): no browser and
 * no native binary, so `kd docs` renders the same bytes on every machine. The module is
 * loaded once per process (it compiles a few MB of wasm).
 */
import { Graphviz } from '@hpcc-js/wasm-graphviz';

let graphviz: Promise<Graphviz> | null = null;

const load = (): Promise<Graphviz> => {
  graphviz ??= Graphviz.load();
  return graphviz;
};

/** The SVG document for a DOT graph, without the XML prolog (so it can also be inlined). */
export const renderDot = async (dot: string): Promise<string> => {
  const svg = (await load()).layout(dot, 'svg', 'dot');
  const start = svg.indexOf('<svg');
  return `${svg.slice(start).trim()}\n`;
};
