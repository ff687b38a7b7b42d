/**
 * A `Sequence` as a space-time diagram in plain SVG (no library, no script): lanes left to
 * right, steps top to bottom. Messages are arrows labelled with their type and epoch, from
 * the step that sent them to the step that delivered them (a dropped one ends in a cross);
 * API writes and informer reads are dashed arrows to and from the API Server lane; faults
 * are red marks; the step at which the property fails is a red band. Every step row carries
 * a `<title>` with its key state after the step, shown on hover, and `data-step`, which the
 * HTML report uses to show the state beside the diagram.
 */
import type { ApiArrow, LaneMark, MessageArrow, Sequence } from './events.js';
import { API_LANE } from './events.js';
import { labelPlacer } from './labels-layout.js';

const LANE_W = 132;
const ROW_H = 24;
const TOP = 44;
const LEFT = 36;
/** The action column is at least this wide, and as wide as its longest line. */
const ACTION_MIN_W = 430;
/** The widest an 11 px character of the action column is drawn (bold, for the failing row). */
const ACTION_CHAR_W = 6.6;

interface Frame {
  readonly id: string;
  readonly x: (lane: string) => number;
  readonly y: (step: number) => number;
  readonly width: number;
  readonly height: number;
}

export const sequenceSvg = (seq: Sequence, id: string): string => {
  const frame = frameOf(seq, id);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="sequence" width="${frame.width}" height="${frame.height}" viewBox="0 0 ${frame.width} ${frame.height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
    defs(frame.id),
    `<rect width="${frame.width}" height="${frame.height}" fill="#ffffff"/>`,
    ...rows(seq, frame),
    ...lanes(seq, frame),
    ...drawEvents(seq, frame),
    ...legend(seq, frame),
    '</svg>',
  ];
  return `${parts.join('\n')}\n`;
};

const frameOf = (seq: Sequence, id: string): Frame => {
  const index = new Map(seq.lanes.map((lane, i) => [lane, i]));
  // Every action whole: a label cut short hides what tells steps apart (the epoch at its end).
  const longest = Math.max(...rowTexts(seq).map((row) => row.label.length + row.mark.length + 1));
  const actionWidth = Math.max(ACTION_MIN_W, Math.ceil(longest * ACTION_CHAR_W) + 12);
  const width = LEFT + seq.lanes.length * LANE_W + actionWidth;
  return {
    id: id.replace(/[^A-Za-z0-9_-]/g, '_'),
    // The action column comes first, so a narrow window still shows what each step did.
    x: (lane) =>
      LEFT + actionWidth + (index.get(lane) ?? seq.lanes.length - 1) * LANE_W + LANE_W / 2,
    y: (step) => TOP + step * ROW_H,
    width,
    height: TOP + (seq.steps.length + 1) * ROW_H + 36,
  };
};

const defs = (id: string): string =>
  [
    '<defs>',
    arrowHead(`${id}-msg`, '#1f5fa8'),
    arrowHead(`${id}-session`, '#7b3fa0'),
    arrowHead(`${id}-api`, '#666666'),
    '</defs>',
  ].join('');

const arrowHead = (id: string, color: string): string =>
  `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${color}"/></marker>`;

/** Lane headers and lifelines. */
const lanes = (seq: Sequence, f: Frame): string[] =>
  seq.lanes.flatMap((lane) => {
    const x = f.x(lane);
    const fill = lane === API_LANE ? '#fff4d6' : '#e8eef8';
    return [
      `<line x1="${x}" y1="${TOP - 10}" x2="${x}" y2="${f.y(seq.steps.length) + ROW_H / 2}" stroke="#9aa7b8" stroke-width="1"/>`,
      `<rect x="${x - LANE_W / 2 + 6}" y="6" width="${LANE_W - 12}" height="24" rx="5" fill="${fill}" stroke="#4a6fa5"/>`,
      `<text x="${x}" y="22" text-anchor="middle" font-weight="bold">${esc(lane)}</text>`,
    ];
  });

/** Each row's action and its mark (the failing step, the start of a cycle). */
const rowTexts = (seq: Sequence) =>
  [{ actor: '', label: '(initial)', state: seq.initialState }, ...seq.steps].map((step, i) => ({
    ...step,
    failing: i === seq.failingStep,
    mark:
      i === seq.failingStep
        ? `✗ ${seq.property} fails`
        : i === seq.cycleStart
          ? '@ cycle from here'
          : '',
  }));

/** One row per step (0 is the initial state): number, action, hover state, highlight. */
const rows = (seq: Sequence, f: Frame): string[] =>
  rowTexts(seq).map((step, i) => {
    const y = f.y(i);
    const { failing, mark } = step;
    const band = failing ? '#fbd5d5' : i % 2 === 0 ? '#f7f9fc' : '#ffffff';
    return [
      `<g class="step${failing ? ' failing' : ''}" data-step="${i}">`,
      `<title>${esc(`step ${i}${step.actor ? ` · ${step.actor}` : ''} · ${step.label}\nstate after: ${step.state}`)}</title>`,
      `<rect x="0" y="${y - ROW_H / 2}" width="${f.width}" height="${ROW_H}" fill="${band}"/>`,
      `<text x="${LEFT - 6}" y="${y + 4}" text-anchor="end" fill="#555">${i}</text>`,
      `<text class="action" x="${LEFT + 6}" y="${y + 4}" fill="${failing ? '#b00020' : '#222'}"${failing ? ' font-weight="bold"' : ''}>${esc(step.label)}${mark ? ` <tspan fill="#b00020" font-weight="bold">${esc(mark)}</tspan>` : ''}</text>`,
      '</g>',
    ].join('');
  });

/** Marks first, so that the message labels placed after them keep clear of them. */
const drawEvents = (seq: Sequence, f: Frame): string[] => {
  const placer = labelPlacer([]);
  for (const e of seq.events) {
    if (e.kind === 'message') continue;
    const x = f.x(e.lane);
    const y = f.y(e.step);
    // An API arrow of the API Server's own lane is drawn as a dot (drawApi).
    if (e.kind !== 'api' || e.lane === API_LANE)
      placer.block({ left: x - 9, top: y - 9, right: x + 9, bottom: y + 7 });
  }
  return seq.events.map((e) =>
    e.kind === 'message' ? drawMessage(e, f, seq, placer) : drawEvent(e, f),
  );
};

const drawEvent = (e: ApiArrow | LaneMark, f: Frame): string =>
  e.kind === 'api' ? drawApi(e, f) : drawMark(e, f);

const drawMessage = (
  m: MessageArrow,
  f: Frame,
  seq: Sequence,
  placer: ReturnType<typeof labelPlacer>,
): string => {
  const session = /\.(handshake|handshakeReply|sync|syncAck|notReady|epochMismatch)\b/.test(
    m.label,
  );
  const color = session ? '#7b3fa0' : '#1f5fa8';
  const x1 = f.x(m.from);
  const x2full = f.x(m.to);
  const y1 = m.sentAt === null ? f.y(m.endAt ?? 0) - ROW_H * 0.35 : f.y(m.sentAt);
  const yEnd = m.endAt === null ? f.y(seq.steps.length) + ROW_H / 2 : f.y(m.endAt);
  const x2 = m.fate === 'dropped' ? (x1 + x2full) / 2 : x2full;
  const y2 = m.fate === 'dropped' ? (y1 + yEnd) / 2 + (yEnd - y1) / 2 : yEnd;
  const dash = m.fate === 'in flight' || m.duplicate ? ' stroke-dasharray="5 3"' : '';
  const head =
    m.fate === 'dropped' ? '' : ` marker-end="url(#${f.id}-${session ? 'session' : 'msg'})"`;
  const suffix = m.duplicate ? ' (dup)' : m.fate === 'in flight' ? ' (in flight)' : '';
  const { x: tx, y: ty } = placer.place(m.label + suffix, x1, y1, x2, y2);
  return [
    `<g class="message"><title>${esc(`${m.label} ${m.from}→${m.to}: ${m.fate}${m.sentAt === null ? '' : `, sent at step ${m.sentAt}`}${suffix}`)}</title>`,
    `<line x1="${r(x1)}" y1="${r(y1)}" x2="${r(x2)}" y2="${r(y2)}" stroke="${color}" stroke-width="1.6"${dash}${head}/>`,
    m.fate === 'dropped' ? cross(x2, y2, '#b00020') : '',
    `<text class="label" x="${r(tx)}" y="${r(ty)}" fill="${color}" font-size="9.5" stroke="#ffffff" stroke-width="3" paint-order="stroke">${esc(m.label + suffix)}</text>`,
    '</g>',
  ].join('');
};

const drawApi = (a: ApiArrow, f: Frame): string => {
  const y = f.y(a.step);
  const [x1, x2] =
    a.direction === 'write' ? [f.x(a.lane), f.x(API_LANE)] : [f.x(API_LANE), f.x(a.lane)];
  if (x1 === x2) return drawMark({ kind: 'local', lane: a.lane, step: a.step, label: a.label }, f);
  return [
    `<g class="api"><title>${esc(a.label)}</title>`,
    `<line x1="${r(x1)}" y1="${y}" x2="${r(x2)}" y2="${y}" stroke="#666666" stroke-width="1.2" stroke-dasharray="${a.direction === 'write' ? '6 3' : '2 3'}" marker-end="url(#${f.id}-api)"/>`,
    '</g>',
  ].join('');
};

const drawMark = (m: LaneMark, f: Frame): string => {
  const x = f.x(m.lane);
  const y = f.y(m.step);
  if (m.kind === 'local')
    return `<circle cx="${r(x)}" cy="${y}" r="4" fill="#4a6fa5"><title>${esc(m.label)}</title></circle>`;
  return [
    `<g class="fault"><title>${esc(`fault: ${m.label}`)}</title>`,
    `<polygon points="${r(x)},${y - 8} ${r(x + 8)},${y + 6} ${r(x - 8)},${y + 6}" fill="#ffdddd" stroke="#b00020" stroke-width="1.5"/>`,
    `<text x="${r(x)}" y="${y + 5}" text-anchor="middle" fill="#b00020" font-size="10" font-weight="bold">!</text>`,
    '</g>',
  ].join('');
};

const cross = (x: number, y: number, color: string): string =>
  `<path d="M${r(x - 5)},${r(y - 5)} L${r(x + 5)},${r(y + 5)} M${r(x - 5)},${r(y + 5)} L${r(x + 5)},${r(y - 5)}" stroke="${color}" stroke-width="2"/>`;

const legend = (seq: Sequence, f: Frame): string[] => {
  const y = f.height - 26;
  const sends = seq.sendsKnown
    ? 'arrows run from the step that sent a message to the step that delivered it'
    : 'an implementation trace records deliveries only: arrows are drawn at the delivering step';
  return [
    `<text x="${LEFT}" y="${y}" fill="#555" font-size="10">${esc('blue: data message · purple: session message · dashed grey: API write / informer read · dot: local work · red triangle: fault · ✕: dropped')}</text>`,
    `<text x="${LEFT}" y="${y + 14}" fill="#555" font-size="10">${esc(`${sends}; hover a row for the key state after it`)}</text>`,
  ];
};

/** Coordinates rounded to a tenth: stable text, small files. */
const r = (n: number): string => String(Math.round(n * 10) / 10);

export const esc = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
