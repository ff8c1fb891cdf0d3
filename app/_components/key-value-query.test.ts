import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatKeyValueQuery, parseKeyValueQuery } from './key-value-query';

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
