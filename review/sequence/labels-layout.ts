/**
 * Where a space-time diagram's message labels go so that none covers another or a mark.
 * Two messages close in time cross the same lanes, and a label placed at a fixed point of
 * its arrow lands on its neighbour's; here each label takes the first free spot along its
 * arrow (or just above or below it), in drawing order. Text widths are estimated from the
 * character count (SVG text has no width before a browser lays it out); the estimate errs
 * wide, and the report's browser test measures the real boxes.
 */

export interface Box {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

/** A label's font size in px and the widest its average character is drawn. */
const LABEL_FONT = 9.5;
const CHAR_W = 0.6 * LABEL_FONT;
const GAP = 1.5;

const overlaps = (a: Box, b: Box): boolean =>
  a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

/** The box of a label whose text starts at (x, baseline y). */
export const labelBox = (text: string, x: number, y: number): Box => ({
  left: x - GAP,
  top: y - LABEL_FONT - GAP,
  right: x + text.length * CHAR_W + GAP,
  bottom: y + 0.3 * LABEL_FONT + GAP,
});

/** Fractions along the arrow tried in turn, and offsets from it (px). */
const ALONG = [0.3, 0.5, 0.15, 0.7, 0.85];
const ACROSS = [-3, 12, -14, 24, -26];

export const labelPlacer = (taken: Box[]) => ({
  /** Marks (fault triangles, dots) that labels must not cover. */
  block: (box: Box): void => {
    taken.push(box);
  },
  /** The baseline start of the label of the arrow (x1, y1) → (x2, y2). */
  place: (text: string, x1: number, y1: number, x2: number, y2: number) => {
    const spots = ACROSS.flatMap((dy) =>
      ALONG.map((t) => ({ x: x1 + (x2 - x1) * t, y: y1 + (y2 - y1) * t + dy })),
    );
    const free = spots.find((s) => !taken.some((box) => overlaps(box, labelBox(text, s.x, s.y))));
    const spot = free ?? (spots[0] as { x: number; y: number });
    taken.push(labelBox(text, spot.x, spot.y));
    return spot;
  },
});
