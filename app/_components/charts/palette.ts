/**
 * The charts' colours, fixed hex values that need no theme: each keeps at least 3:1
 * against the console's light and dark backgrounds (WCAG 1.4.11 for graphics, checked in
 * palette.test.ts), so a bar reads the same in both. Text in a chart is currentColor, the
 * surrounding text's colour, which the page already makes readable in both themes.
 */

/** The backgrounds a chart sits on: cards and the page, light and dark (white, zinc-50, zinc-900, zinc-950). */
export const CHART_BACKGROUNDS = ['#ffffff', '#fafafa', '#18181b', '#09090b'] as const;

/** Series in order of size: distinct hues, none reading as "good" or "bad". */
export const SERIES_COLORS = ['#0284c7', '#ea580c', '#8b5cf6', '#0d9488', '#db2777', '#4d7c0f'] as const;

/** The rest of the series folded into one ("Other faults"). */
export const OTHER_COLOR = '#71717a';

/** What a resource of a cell's capacity is spent on, and where the rest is free. */
export const CAPACITY_COLORS = {
  used: '#6366f1',
  schedulable: '#059669',
  unmapped: '#d97706',
  other: '#71717a',
} as const;

/** One colour of a single-series chart (the build requests' ages). */
export const SINGLE_COLOR = '#0284c7';

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const v = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** WCAG's contrast ratio of two #rrggbb colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}
