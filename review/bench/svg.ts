/**
 * The chart of docs/bench.md: W1's end-to-end p90 per burst size, for both paths under
 * both client-limit configurations, as grouped bars on a logarithmic axis (the two
 * configurations differ by orders of magnitude). Plain SVG text, no dependency.
 */
import type { Row } from '../../bench/realtime/aggregate.js';

const WIDTH = 760;
const HEIGHT = 380;
const LEFT = 70;
const BOTTOM = 60;
const TOP = 40;
const SERIES = [
  { path: 'api', config: 'default-limits', color: '#c0392b', label: 'API path, default limits' },
  { path: 'direct', config: 'default-limits', color: '#27ae60', label: 'direct, default limits' },
  { path: 'api', config: 'unthrottled', color: '#e59866', label: 'API path, unthrottled' },
  { path: 'direct', config: 'unthrottled', color: '#82e0aa', label: 'direct, unthrottled' },
] as const;

const esc = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export const w1Chart = (rows: readonly Row[], sandboxMs: number): string | null => {
  const w1 = rows.filter(
    (r) => r.workload === 'W1' && r.sandboxMs === sandboxMs && r.p90Ms !== null,
  );
  const sizes = [...new Set(w1.map((r) => r.n))].sort((a, b) => a - b);
  if (sizes.length === 0) return null;
  const values = w1.map((r) => r.p90Ms as number);
  const lo = 10 ** Math.floor(Math.log10(Math.max(1, Math.min(...values))));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values)));
  const plotH = HEIGHT - TOP - BOTTOM;
  const y = (v: number) => TOP + plotH * (1 - Math.log10(v / lo) / Math.log10(hi / lo));
  const groupW = (WIDTH - LEFT - 20) / sizes.length;
  const barW = (groupW * 0.8) / SERIES.length;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${LEFT}" y="20" font-size="14">W1: time until the 90th-percentile pod is Ready (ms, log scale), sandbox start ${sandboxMs} ms</text>`,
  ];
  for (let tick = lo; tick <= hi; tick *= 10)
    out.push(
      `<line x1="${LEFT}" x2="${WIDTH - 20}" y1="${y(tick)}" y2="${y(tick)}" stroke="#ddd"/>`,
      `<text x="${LEFT - 6}" y="${y(tick) + 4}" text-anchor="end">${tick.toLocaleString('en-US')}</text>`,
    );
  sizes.forEach((n, g) => {
    const x0 = LEFT + g * groupW + groupW * 0.1;
    SERIES.forEach((s, i) => {
      const row = w1.find((r) => r.n === n && r.path === s.path && r.config === s.config);
      if (!row?.p90Ms) return;
      const top = y(row.p90Ms);
      out.push(
        `<rect x="${x0 + i * barW}" y="${top}" width="${barW - 2}" height="${HEIGHT - BOTTOM - top}" fill="${s.color}"><title>${esc(s.label)}: ${row.p90Ms} ms</title></rect>`,
      );
    });
    out.push(
      `<text x="${x0 + groupW * 0.4}" y="${HEIGHT - BOTTOM + 16}" text-anchor="middle">n = ${n}</text>`,
    );
  });
  SERIES.forEach((s, i) => {
    const x = LEFT + i * 170;
    out.push(
      `<rect x="${x}" y="${HEIGHT - 22}" width="12" height="12" fill="${s.color}"/>`,
      `<text x="${x + 16}" y="${HEIGHT - 12}">${esc(s.label)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
};
