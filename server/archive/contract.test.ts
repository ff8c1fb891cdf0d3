import { describe, expect, it } from 'vitest';
import { parseBefore } from './contract';

describe('--before as nova reads it', () => {
  it.each([
    ['2026-11-21', '2026-11-21T00:00:00.000Z'],
    ['2026-11-21 09:30', '2026-11-21T09:30:00.000Z'],
    ['2026-11-21 09:30:15', '2026-11-21T09:30:15.000Z'],
    ['2026-11-21T09:30:15.250Z', '2026-11-21T09:30:15.250Z'],
    ['2026-11-21T09:30:15+02:00', '2026-11-21T07:30:15.000Z'],
    ['Thu Dec  3 19:28:38 UTC 2026', '2026-12-03T19:28:38.000Z'],
    ['Dec 3 19:28:38 2026', '2026-12-03T19:28:38.000Z'],
  ])('%s is %s (UTC unless a zone is given)', (text, iso) => {
    expect(parseBefore(text)?.toISOString()).toBe(iso);
  });

  it.each(['', 'yesterday', '2026-02-31', '2026-13-01', 'Foo Dec 3 19:28:38 CET 2026'])('refuses %j', (text) => {
    expect(parseBefore(text)).toBeNull();
  });
});
