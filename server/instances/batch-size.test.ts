import { describe, expect, it } from 'vitest';
import { cellBatchSize } from './batch-size';

describe('cellBatchSize (nova distributed strategy)', () => {
  it('asks one cell for the whole limit', () => {
    expect(cellBatchSize(1000, 1)).toBe(1000);
    expect(cellBatchSize(1000, 0)).toBe(1000);
  });

  it('asks each of many cells for limit / cells × 1.1', () => {
    expect(cellBatchSize(1000, 10)).toBe(110);
    expect(cellBatchSize(1000, 3)).toBe(366);
  });

  it('never asks for fewer than 100 rows, nor more than the limit', () => {
    expect(cellBatchSize(1000, 70)).toBe(100);
    expect(cellBatchSize(50, 10)).toBe(50);
    expect(cellBatchSize(1000, 2)).toBe(550);
  });

  it('honours a lower floor (tests use it to force refills)', () => {
    expect(cellBatchSize(20, 4, 1)).toBe(5);
    expect(cellBatchSize(2, 5, 1)).toBe(1);
  });
});
