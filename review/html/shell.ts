/**
 * The report page's frame: inline CSS and one small inline script, no external resource of
 * any kind, so the file opens offline from disk. The script shows, beside a space-time
 * diagram, the key state after the step under the pointer.
 */

const STYLE = `
body { font: 14px/1.45 Helvetica, Arial, sans-serif; margin: 0; color: #1d2430; }
header { background: #23324a; color: #fff; padding: 16px 28px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
nav a { color: #cfe0ff; margin-right: 14px; }
main { padding: 8px 28px 40px; max-width: 1500px; }
h2 { border-bottom: 2px solid #d7deea; padding-bottom: 4px; margin-top: 32px; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { border: 1px solid #d7deea; padding: 3px 7px; text-align: left; vertical-align: top; }
th { background: #eef3fb; }
td.violated { background: #fbd5d5; color: #8a0018; font-weight: bold; }
td.holds { background: #e3f5e1; color: #1d5e1a; }
td.unexercised, td.unknown { background: #fff4d6; }
td.target { outline: 2px solid #b00020; outline-offset: -2px; }
table.matrix td, table.matrix th { font-size: 12px; padding: 2px 4px; text-align: center; }
table.matrix th.prop { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; }
pre { background: #f5f7fa; padding: 8px; overflow-x: auto; font-size: 12px; }
.finding { border: 1px solid #d7deea; border-radius: 6px; padding: 6px 14px 12px; margin: 18px 0; }
.finding h3 { margin: 8px 0; }
.why { background: #fff8e6; border-left: 4px solid #e0a800; padding: 6px 10px; }
.what { background: #fdecec; border-left: 4px solid #b00020; padding: 6px 10px; }
.diagram { display: flex; gap: 12px; align-items: flex-start; }
.diagram .svgbox { overflow-x: auto; flex: 1 1 auto; min-width: 0; }
/* Every lane in view: a wide diagram scales down to the page rather than hiding lanes. */
.diagram .svgbox svg { max-width: 100%; height: auto; }
.state-panel { flex: 0 0 260px; font: 12px/1.4 monospace; background: #f5f7fa; border: 1px solid #d7deea;
  padding: 8px; white-space: pre-wrap; word-break: break-word; position: sticky; top: 8px; }
svg.sequence g.step:hover rect { fill: #dde8fb; }
/* A wide machine scales down to the page, as the sequence diagrams do, rather than running
   past its frame with its scroll bar a screen further down. */
.machine { margin: 12px 0 24px; overflow-x: auto; }
.machine svg { max-width: 100%; height: auto; }
.muted { color: #667; }
`;

const SCRIPT = `
document.querySelectorAll('.diagram').forEach(function (diagram) {
  var panel = diagram.querySelector('.state-panel');
  diagram.querySelectorAll('g.step').forEach(function (row) {
    row.addEventListener('mouseenter', function () {
      var title = row.querySelector('title');
      if (panel && title) panel.textContent = title.textContent;
    });
  });
});
`;

export const shell = (title: string, nav: readonly [string, string][], body: string): string =>
  [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${title}</title>`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<style>${STYLE}</style>`,
    '</head><body>',
    `<header><h1>${title}</h1><nav>${nav.map(([id, label]) => `<a href="#${id}">${label}</a>`).join('')}</nav></header>`,
    `<main>${body}</main>`,
    `<script>${SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
