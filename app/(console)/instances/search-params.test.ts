import { describe, expect, it } from 'vitest';
import { cellRef, lookupKind, mergeSpec, resolveCell, sortOf, toListInput } from './search-params';

const frame = [
  { uuid: '00000000-0000-0000-0000-000000000000', name: 'cell0' },
  { uuid: '5c5b9a4e-1f0d-4c39-9a7e-2a51d5c8e101', name: 'cell1' },
  { uuid: 'b7e0f7a2-6d35-4d6e-8f0b-3c9e4d2a7f02', name: 'twin' },
  { uuid: 'c7e0f7a2-6d35-4d6e-8f0b-3c9e4d2a7f03', name: 'twin' },
  { uuid: 'd7e0f7a2-6d35-4d6e-8f0b-3c9e4d2a7f04', name: null },
];

const params = {
  lookup: null,
  cell: null,
  project: null,
  vm_state: null,
  host: null,
  name: null,
  sort: null,
  dir: null,
  limit: 50,
  marker: null,
  before: null,
};

describe('the instances URL', () => {
  it('reads the same sort the table shows: newest first by default, a named sort ascending unless it says otherwise', () => {
    expect(sortOf({ sort: null, dir: null })).toEqual({ key: 'created_at', dir: 'desc' });
    expect(sortOf({ sort: null, dir: 'asc' })).toEqual({ key: 'created_at', dir: 'asc' });
    expect(sortOf({ sort: 'display_name', dir: null })).toEqual({ key: 'display_name', dir: 'asc' });
    expect(sortOf({ sort: 'updated_at', dir: 'desc' })).toEqual({ key: 'updated_at', dir: 'desc' });
  });

  it('asks for the page after a marker or before one, never both, and merges a page before one from its end', () => {
    const after = toListInput({ ...params, marker: 'm', before: 'b', limit: 5000 });
    expect(after).toMatchObject({ marker: 'm', limit: 1000 });
    expect(after.before).toBeUndefined();
    const before = toListInput({ ...params, before: 'b', limit: 0 });
    expect(before).toMatchObject({ before: 'b', limit: 1 });
    expect(mergeSpec(before)).toEqual({ limit: 1, sort: { key: 'created_at', dir: 'desc' }, backward: true });
    expect(mergeSpec(after).backward).toBe(false);
  });

  it('names a cell by uuid or by name; a name two cells share asks both; an unknown one asks none and says so', () => {
    expect(resolveCell(frame, null)).toEqual({ cells: frame, unknown: false });
    expect(resolveCell(frame, 'cell1').cells.map((c) => c.name)).toEqual(['cell1']);
    expect(resolveCell(frame, ' 5C5B9A4E-1F0D-4C39-9A7E-2A51D5C8E101 ').cells.map((c) => c.name)).toEqual(['cell1']);
    expect(resolveCell(frame, 'twin').cells).toHaveLength(2);
    expect(resolveCell(frame, 'cell9')).toEqual({ cells: [], unknown: true });
    expect(cellRef(frame, frame[1]!)).toBe('cell1');
    // Shared or missing names are not a way back to one cell: its uuid is.
    expect(cellRef(frame, frame[2]!)).toBe(frame[2]!.uuid);
    expect(cellRef(frame, frame[4]!)).toBe(frame[4]!.uuid);
  });

  it('takes a lookup as a uuid when it is one, else as a name', () => {
    expect(lookupKind(' 6F1C2B9E-0000-4000-8000-000000000001 ')).toEqual({ uuid: '6f1c2b9e-0000-4000-8000-000000000001' });
    expect(lookupKind(' web-prod-01 ')).toEqual({ name: 'web-prod-01' });
    expect(lookupKind('6f1c2b9e-0000')).toEqual({ name: '6f1c2b9e-0000' });
  });
});
