/**
 * The message table, read from the vocabulary's source (`spec/types/messages.ts`): every
 * interface that carries a `type`, its doc comment and its payload fields. Message types are
 * TypeScript types, which do not exist at run time, so the source text is what is read;
 * the counts of each type in the committed counterexamples' traces come alongside.
 */
import { readFileSync } from 'node:fs';
import type { Finding } from '../findings.js';
import { code, generatedNotice, page, table } from './markdown.js';

interface MessageRow {
  readonly name: string;
  readonly type: string;
  readonly doc: string;
  readonly payload: readonly string[];
}

// The doc comment right before the interface: its text may not contain a comment end.
const INTERFACE =
  /\/\*\*((?:(?!\*\/)[\s\S])*?)\*\/\s*export interface (\w+) extends Envelope \{([\s\S]*?)\n\}/g;

const messageRows = (source: string): MessageRow[] =>
  [...source.matchAll(INTERFACE)].map((m) => {
    const body = m[3] ?? '';
    const type = /readonly type: ([^;]+);/.exec(body)?.[1] ?? '';
    return {
      name: m[2] ?? '',
      type: type.replace(/[`']/g, '').replace(/\$\{StageKind\}/, '<stage>'),
      doc: (m[1] ?? '')
        .replace(/^\s*\*\s?/gm, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
      payload: [...body.matchAll(/readonly (\w+)\??:/g)]
        .map((p) => p[1] ?? '')
        .filter((p) => p !== 'type'),
    };
  });

export const messagesPage = (sourceFile: string, findings: readonly Finding[]): string => {
  const rows = messageRows(readFileSync(sourceFile, 'utf8'));
  return page([
    ...generatedNotice('spec/types/messages.ts'),
    '# Direct messages',
    '',
    'Every envelope carries `source`, `destination` and `epoch`; types are named',
    '`<receiver>.<method>` (`<stage>` stands for any stage kind). Handshake, sync and the data',
    'messages go from client (upstream) to server (downstream); replies go back. "In traces"',
    'counts deliveries of the type in the committed counterexamples.',
    '',
    ...table(
      ['type', 'interface', 'payload', 'meaning', 'in traces'],
      rows.map((r) => [
        code(r.type),
        r.name,
        r.payload.map(code).join(', '),
        r.doc,
        String(deliveries(findings, r.type)),
      ]),
    ),
  ]);
};

/** Deliveries of a message type (a `<stage>` pattern matches every stage). */
const deliveries = (findings: readonly Finding[], type: string): number => {
  const pattern = new RegExp(`^deliver ${type.replace('.', '\\.').replace('<stage>', '[a-z]+')} `);
  return findings.reduce(
    (n, f) => n + f.counterexample.steps.filter((s) => pattern.test(s.label)).length,
    0,
  );
};
