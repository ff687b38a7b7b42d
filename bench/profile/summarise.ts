// The top functions of a V8 CPU profile (`node --cpu-prof`), by self time and by inclusive
// time, as shares of all samples, and self time by script (a package's files together:
// how much is xstate's, say, against the bundle's own code and the garbage collector): the
// "where the time goes" figures of docs/bench-impl.md.
//
//   npx tsx bench/profile/summarise.ts FILE.cpuprofile... [TOP]
//
// (A process writes one file per thread; the main thread's is the one ending in .001.)
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const args = process.argv.slice(2);
const files = args.filter((arg) => arg.endsWith('.cpuprofile'));
const topArg = args.find((arg) => /^\d+$/.test(arg));
if (files.length === 0 || files.length + (topArg === undefined ? 0 : 1) !== args.length) {
  console.error('usage: summarise.ts FILE.cpuprofile... [TOP]');
  process.exit(2);
}
const top = Number(topArg ?? 30);

/** A node's script: its package for a file under node_modules, else the file; V8's own
 * entries (the garbage collector, idle, builtins) by their name. */
const scriptOf = (node: ProfileNode): string => {
  const { url, functionName } = node.callFrame;
  if (url === '') return functionName;
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  return inPackage ? `package ${inPackage[1]}` : (url.split('/').pop() ?? url);
};

const summarise = (file: string): void => {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const nameOf = (node: ProfileNode) =>
    `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.split('/').pop()}:${node.callFrame.lineNumber + 1}`;

  // Time per sampled node, then charged to its function (self) and, once per function, to
  // every function on its stack (inclusive).
  const timeAt = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    total += delta;
    timeAt.set(id, (timeAt.get(id) ?? 0) + delta);
  });
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const byScript = new Map<string, number>();
  for (const [id, time] of timeAt) {
    const node = nodes.get(id) as ProfileNode;
    const name = nameOf(node);
    self.set(name, (self.get(name) ?? 0) + time);
    const script = scriptOf(node);
    byScript.set(script, (byScript.get(script) ?? 0) + time);
    const onStack = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at))
      onStack.add(nameOf(nodes.get(at) as ProfileNode));
    for (const name of onStack) inclusive.set(name, (inclusive.get(name) ?? 0) + time);
  }
  const print = (title: string, times: Map<string, number>) => {
    console.log(`${file}: ${title} (of ${(total / 1e6).toFixed(1)} s sampled)`);
    for (const [name, time] of [...times].sort((a, b) => b[1] - a[1]).slice(0, top))
      console.log(`${((100 * time) / total).toFixed(1).padStart(5)} %  ${name}`);
  };
  print('self', self);
  print('inclusive', inclusive);
  print('self by script', byScript);
};

for (const file of files) summarise(file);
