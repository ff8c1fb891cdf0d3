import { describe, expect, it } from 'vitest';
import { CAPACITY_COLORS, CHART_BACKGROUNDS, contrastRatio, OTHER_COLOR, SERIES_COLORS, SINGLE_COLOR } from './palette';

describe('chart palette', () => {
  it('computes WCAG contrast ratios', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
    expect(contrastRatio('#123456', '#123456')).toBe(1);
  });

  it('every chart colour keeps 3:1 against the light and the dark backgrounds', () => {
    const colours = [...SERIES_COLORS, OTHER_COLOR, SINGLE_COLOR, ...Object.values(CAPACITY_COLORS)];
    for (const c of colours) for (const bg of CHART_BACKGROUNDS) expect(contrastRatio(c, bg), `${c} on ${bg}`).toBeGreaterThanOrEqual(3);
  });

  it('no two series share a colour, and Other is none of them', () => {
    expect(new Set(SERIES_COLORS).size).toBe(SERIES_COLORS.length);
    expect(SERIES_COLORS).not.toContain(OTHER_COLOR);
    expect(new Set(Object.values(CAPACITY_COLORS)).size).toBe(4);
  });
});
