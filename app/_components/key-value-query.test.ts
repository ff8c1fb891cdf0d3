import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cellHostSearch,
  cellSearchValue,
  containsText,
  filterWholeList,
  formatKeyValueQuery,
  parseKeyValueQuery,
  resolveCellValue,
  type WholeListKey,
  wholeListRefusal,
} from './key-value-query';

const KEYS = ['cell', 'project', 'host', 'fault', 'status'];

describe('parseKeyValueQuery', () => {
  it('reads the example of the search box: keys, a quoted value and free text', () => {
    expect(parseKeyValueQuery('cell:cell1 project:abc host:cmp-1 fault:"No valid host" status:ERROR web', KEYS)).toEqual({
      ok: true,
      fields: { cell: 'cell1', project: 'abc', host: 'cmp-1', fault: 'No valid host', status: 'ERROR' },
      free: 'web',
    });
  });

  it('takes keys in any case, the last of a repeated key, quotes with escapes, and free text anywhere', () => {
    expect(parseKeyValueQuery('  vm-1 CELL:a cell:b "two words" host:"say \\"hi\\"" end ', KEYS)).toEqual({
      ok: true,
      fields: { cell: 'b', host: 'say "hi"' },
      free: 'vm-1 two words end',
    });
    expect(parseKeyValueQuery('', KEYS)).toEqual({ ok: true, fields: {}, free: '' });
    // Times and URLs are free text, not keys.
    expect(parseKeyValueQuery('10:30 https://x', KEYS)).toEqual({ ok: true, fields: {}, free: '10:30 https://x' });
  });

  it('refuses an unknown key naming the keys it knows, a key with no value and an open quote', () => {
    const unknown = parseKeyValueQuery('flavor:m1.small', KEYS);
    expect(unknown).toEqual({ ok: false, error: expect.stringContaining('Unknown key "flavor:"') });
    expect(unknown.ok ? '' : unknown.error).toContain('cell:, project:, host:, fault:, status:');
    expect(parseKeyValueQuery('host:', KEYS)).toEqual({ ok: false, error: expect.stringContaining('"host:" needs a value') });
    expect(parseKeyValueQuery('host:""', KEYS)).toEqual({ ok: false, error: expect.stringContaining('needs a value') });
    expect(parseKeyValueQuery('fault:"No valid', KEYS)).toEqual({ ok: false, error: 'A quote is not closed.' });
    expect(parseKeyValueQuery('"open', KEYS)).toEqual({ ok: false, error: 'A quote is not closed.' });
    expect(parseKeyValueQuery('x'.repeat(2001), KEYS).ok).toBe(false);
  });

  it('gives back what formatKeyValueQuery wrote, for any values', () => {
    const value = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() === s && s !== '');
    fc.assert(
      fc.property(fc.record({ cell: value, host: value, fault: value }, { requiredKeys: [] }), (fields) => {
        const text = formatKeyValueQuery(fields, '', KEYS);
        const parsed = parseKeyValueQuery(text, KEYS);
        expect(parsed).toEqual({ ok: true, fields, free: '' });
      }),
    );
  });
});

describe('formatKeyValueQuery', () => {
  it('writes the fields in the keys order, quoting what needs it, then the free text', () => {
    expect(formatKeyValueQuery({ host: 'cmp 1', cell: 'cell1', project: null, status: '' }, ' vm ', KEYS)).toBe('cell:cell1 host:"cmp 1" vm');
  });
});

describe('resolveCellValue and cellSearchValue', () => {
  const cells = [
    { uuid: '00000000-0000-0000-0000-000000000000', name: 'cell0' },
    { uuid: '6f1c1a4e-9a53-4c0e-9d7c-2a1b3c4d5e6f', name: 'cell1' },
    { uuid: '7a2d2b5f-0b64-4d1f-8e8d-3b2c4d5e6f70', name: 'twin' },
    { uuid: '8b3e3c60-1c75-4e20-9f9e-4c3d5e6f7081', name: 'twin' },
    { uuid: '9c4f4d71-2d86-4f31-a0af-5d4e6f708192', name: null },
  ];

  it('takes a name (exact, else in any case) or a uuid, and shows a uuid back as its name when that name is one cell', () => {
    expect(resolveCellValue('cell1', cells)).toEqual({ ok: true, uuid: cells[1]!.uuid });
    expect(resolveCellValue('CELL1', cells)).toEqual({ ok: true, uuid: cells[1]!.uuid });
    expect(resolveCellValue(cells[2]!.uuid.toUpperCase(), cells)).toEqual({ ok: true, uuid: cells[2]!.uuid });
    expect(cellSearchValue(cells[1]!.uuid, cells)).toBe('cell1');
    expect(cellSearchValue(cells[2]!.uuid, cells)).toBe(cells[2]!.uuid);
    expect(cellSearchValue(cells[4]!.uuid, cells)).toBe(cells[4]!.uuid);
    expect(cellSearchValue(null, cells)).toBeNull();
  });

  it('refuses a name two cells share and a name no cell has; a uuid it does not know is passed on for the list to refuse', () => {
    expect(resolveCellValue('twin', cells)).toEqual({ ok: false, error: '2 cells are named "twin": use the uuid of the one you mean.' });
    expect(resolveCellValue('cell9', cells)).toEqual({ ok: false, error: 'No cell is named "cell9". The cells are cell0, cell1, twin.' });
    expect(resolveCellValue('0b5f5e82-3e97-4042-b1b0-6e5f708192a3', cells)).toEqual({ ok: true, uuid: '0b5f5e82-3e97-4042-b1b0-6e5f708192a3' });
  });
});

describe('cellHostSearch', () => {
  const cells = [
    { uuid: '00000000-0000-0000-0000-000000000000', name: 'cell0', isCell0: true },
    { uuid: '11111111-1111-4111-8111-111111111111', name: 'cell1', isCell0: false },
  ];
  const q = (text: string) => {
    const parsed = parseKeyValueQuery(text, ['cell', 'host']);
    if (!parsed.ok) throw new Error(parsed.error);
    return parsed;
  };

  it('turns a cell name and a host, given as host: or as free text, into the list state', () => {
    expect(cellHostSearch(q('cell:CELL1 host:cmp-1'), cells)).toEqual({ ok: true, cell: cells[1]!.uuid, host: 'cmp-1' });
    expect(cellHostSearch(q('cmp-2'), cells)).toEqual({ ok: true, cell: null, host: 'cmp-2' });
    expect(cellHostSearch(q(''), cells)).toEqual({ ok: true, cell: null, host: null });
  });

  it('refuses a host given twice, a cell no mapping has, and a cell the list refuses', () => {
    expect(cellHostSearch(q('host:a b'), cells)).toEqual({ ok: false, error: 'Give the host once: as host:… or as free text.' });
    expect(cellHostSearch(q('cell:nowhere'), cells).ok).toBe(false);
    expect(cellHostSearch(q('cell:cell0'), cells, (c) => (c.isCell0 ? 'cell0 holds no compute hosts' : null))).toEqual({
      ok: false,
      error: 'cell0 holds no compute hosts',
    });
  });
});

describe('filterWholeList and wholeListRefusal (lists searched in the browser)', () => {
  interface Row {
    name: string;
    role: string;
    note: string | null;
  }
  const rows: Row[] = [
    { name: 'alice', role: 'operator', note: 'on call' },
    { name: 'bob', role: 'viewer', note: null },
    { name: 'Alina', role: 'viewer', note: 'support desk' },
  ];
  const keys: WholeListKey<Row>[] = [
    { key: 'role', help: 'the role', values: ['viewer', 'support', 'operator'], matches: (r, v) => r.role === v.toLowerCase() },
    { key: 'name', help: 'contains', matches: (r, v) => containsText(r.name, v) },
  ];
  const texts = (r: Row) => [r.name, r.note];

  it('keeps every row with no search, and only rows every key and the free text match otherwise', () => {
    expect(filterWholeList(rows, { fields: {}, free: '' }, keys, texts)).toEqual(rows);
    expect(filterWholeList(rows, { fields: { role: 'VIEWER' }, free: null }, keys, texts).map((r) => r.name)).toEqual(['bob', 'Alina']);
    expect(filterWholeList(rows, { fields: { role: 'viewer', name: 'ali' }, free: null }, keys, texts).map((r) => r.name)).toEqual(['Alina']);
    // Free text looks in any searched text, without case; a missing text never matches.
    expect(filterWholeList(rows, { fields: {}, free: 'DESK' }, keys, texts).map((r) => r.name)).toEqual(['Alina']);
    expect(filterWholeList(rows, { fields: { role: 'operator' }, free: 'desk' }, keys, texts)).toEqual([]);
  });

  it('refuses a value a key does not take, naming the ones it does', () => {
    expect(wholeListRefusal({ role: 'Operator' }, keys)).toBeNull();
    expect(wholeListRefusal({ name: 'anything at all' }, keys)).toBeNull();
    expect(wholeListRefusal({ role: 'admin' }, keys)).toBe('role: is one of viewer, support, operator.');
  });
});
