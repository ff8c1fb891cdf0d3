import { describe, expect, it } from 'vitest';
import { compareCodePoints, comparePositions } from './sort-order';

describe('comparePositions', () => {
  const p = (sortValue: string | null, uuid: string) => ({ sortValue, uuid });

  it('orders by the key in its direction, then uuid ascending', () => {
    const rows = [p('2024-01-01T00:00:00.000000', 'b'), p('2024-01-02T00:00:00.000000', 'c'), p('2024-01-01T00:00:00.000000', 'a')];
    expect([...rows].sort((x, y) => comparePositions('desc', x, y)).map((r) => r.uuid)).toEqual(['c', 'a', 'b']);
    expect([...rows].sort((x, y) => comparePositions('asc', x, y)).map((r) => r.uuid)).toEqual(['a', 'b', 'c']);
  });

  it('puts NULL keys last when descending and first when ascending, ordered by uuid', () => {
    const rows = [p(null, 'z'), p('x', 'm'), p(null, 'a')];
    expect([...rows].sort((x, y) => comparePositions('desc', x, y)).map((r) => r.uuid)).toEqual(['m', 'a', 'z']);
    expect([...rows].sort((x, y) => comparePositions('asc', x, y)).map((r) => r.uuid)).toEqual(['a', 'z', 'm']);
  });

  it('compares microseconds that a JS Date would lose', () => {
    expect(comparePositions('desc', p('2024-01-01T00:00:00.000002', 'a'), p('2024-01-01T00:00:00.000001', 'a'))).toBeLessThan(0);
  });
});

describe('compareCodePoints (collate "C")', () => {
  it('orders upper case before lower case and by code point, not by locale', () => {
    expect(['b', 'B', 'a', 'A', 'é', 'e'].sort(compareCodePoints)).toEqual(['A', 'B', 'a', 'b', 'e', 'é']);
  });

  it('puts characters beyond the BMP after every BMP character, as UTF-8 bytes do', () => {
    expect(compareCodePoints('\u{1F600}', '\uFFFD')).toBeGreaterThan(0);
    expect(compareCodePoints('\uFFFD', '\u{1F600}')).toBeLessThan(0);
    expect(compareCodePoints('ab', 'abc')).toBeLessThan(0);
  });
});
