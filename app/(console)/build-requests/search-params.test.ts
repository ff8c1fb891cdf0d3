import { describe, expect, it } from 'vitest';
import type { PendingBuildRequest } from '@/server/triage/contract';
import { type BuildRequestsFilter, buildState, filterBuildRequests, parseAge } from './search-params';

const row = (p: Partial<PendingBuildRequest>): PendingBuildRequest => ({
  instanceUuid: '6f1c1a4e-9a53-4c0e-9d7c-2a1b3c4d5e6f',
  projectId: 'b2c4e6f8a0b2c4e6f8a0b2c4e6f8a0b2',
  createdAt: new Date('2026-12-01T09:00:00Z'),
  ageSeconds: 600,
  stuck: false,
  corrupt: null,
  name: 'web-1',
  userId: 'u-alice',
  flavor: { name: 'm1.small', flavorid: '2', vcpus: 1, memoryMb: 2048, rootGb: 20, ephemeralGb: 0, swap: 0 },
  imageRef: 'img',
  availabilityZone: null,
  mappedCell: null,
  ...p,
});
const none: BuildRequestsFilter = { project: null, user: null, flavor: null, state: null, age: null, q: null };

describe('the build requests search', () => {
  it('reads age: as seconds, minutes when no unit is given, and refuses what is not a duration', () => {
    expect([parseAge('90s'), parseAge('30m'), parseAge('30'), parseAge('2h'), parseAge('1d'), parseAge(' 3 MIN ')]).toEqual([90, 1800, 1800, 7200, 86400, 180]);
    expect([parseAge('soon'), parseAge('-1h'), parseAge('1.5h'), parseAge('')]).toEqual([null, null, null, null]);
  });

  it('keeps the rows every key matches: project and user contain, flavor is, state is, at least age old, name or uuid contains the free text', () => {
    const rows = [
      row({ name: 'web-1' }),
      row({ instanceUuid: '7a2d2b5f-0b64-4d1f-8e8d-3b2c4d5e6f70', name: 'db-1', flavor: null, ageSeconds: 7200, stuck: true, userId: 'u-bob' }),
      row({ instanceUuid: null, name: null, corrupt: { kind: 'null', reason: 'the instance column is NULL' }, ageSeconds: null, userId: null, flavor: null }),
      row({ instanceUuid: '8b3e3c60-1c75-4e20-9f9e-4c3d5e6f7081', name: 'web-2', projectId: 'other', mappedCell: { uuid: 'c', name: 'cell1' } }),
    ];
    const names = (f: Partial<BuildRequestsFilter>) => filterBuildRequests(rows, { ...none, ...f }).map((r) => r.name);
    expect(names({})).toEqual(['web-1', 'db-1', null, 'web-2']);
    expect(names({ project: 'B2C4E6' })).toEqual(['web-1', 'db-1', null]);
    expect(names({ user: 'bob' })).toEqual(['db-1']);
    expect(names({ flavor: 'M1.SMALL' })).toEqual(['web-1', 'web-2']);
    expect(names({ age: '1h' })).toEqual(['db-1']);
    expect(names({ state: 'stuck' })).toEqual(['db-1']);
    expect(names({ state: 'corrupt' })).toEqual([null]);
    expect(names({ state: 'placed' })).toEqual(['web-2']);
    expect(names({ state: 'scheduling' })).toEqual(['web-1']);
    expect(names({ q: 'web' })).toEqual(['web-1', 'web-2']);
    expect(names({ q: '7a2d2b5f' })).toEqual(['db-1']);
    expect(names({ q: 'web', project: 'other' })).toEqual(['web-2']);
    expect(buildState(rows[2]!)).toBe('corrupt');
  });
});
