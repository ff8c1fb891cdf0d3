import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvField, exportFileName, toCsv, toJson } from './table-export';

interface Row {
  host: string;
  cell: string | null;
  n: number;
  at: Date | null;
}
const columns = [
  { id: 'host', header: 'Host', value: (r: Row) => r.host },
  { id: 'cell', header: 'Cell', value: (r: Row) => r.cell },
  { id: 'n', header: 'Count', value: (r: Row) => r.n },
  { id: 'at', header: 'Mapped since', value: (r: Row) => r.at },
];

/** RFC 4180 reader, enough to read back what toCsv writes. */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  return rows;
}

describe('toCsv', () => {
  it('writes the header and the rows in view; dates as ISO, nothing for null', () => {
    const at = new Date('2026-03-01T09:11:58.000Z');
    const csv = toCsv({
      table: 'Host mappings',
      columns,
      rows: [
        { host: 'cmp-1', cell: 'cell1', n: 3, at },
        { host: 'cmp, 2', cell: null, n: -1, at: null },
      ],
    });
    expect(readCsv(csv)).toEqual([
      ['Host', 'Cell', 'Count', 'Mapped since'],
      ['cmp-1', 'cell1', '3', '2026-03-01T09:11:58.000Z'],
      ['cmp, 2', '', '-1', ''],
    ]);
  });

  it('never lets a spreadsheet run a value as a formula, and reads back every other string as it was', () => {
    for (const evil of ['=HYPERLINK("http://x","y")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1']) {
      const [, [value]] = readCsv(toCsv({ table: 't', columns: [columns[0]!], rows: [{ host: evil, cell: null, n: 0, at: null }] })) as [string[], string[]];
      expect(value).toBe(`'${evil}`);
    }
    fc.assert(
      fc.property(fc.string(), (s) => {
        const [, [value]] = readCsv(toCsv({ table: 't', columns: [columns[0]!], rows: [{ host: s, cell: null, n: 0, at: null }] })) as [string[], string[]];
        expect(value).toBe(/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);
      }),
    );
    // A negative number stays a number.
    expect(csvField(-5)).toBe('-5');
  });

  it('says first which cells did not answer or were still being asked', () => {
    const csv = toCsv({
      table: 'Instances',
      columns,
      rows: [],
      notAnswered: [{ uuid: 'u3', name: 'cell3', reason: 'timeout' }],
      pending: [{ uuid: 'u4', name: null }],
    });
    expect(readCsv(csv)[0]).toEqual(['# Incomplete view — cells that did not answer: cell3 (timeout); cells still being asked: u4']);
    expect(readCsv(csv)[1]).toEqual(['Host', 'Cell', 'Count', 'Mapped since']);
  });
});

describe('toJson', () => {
  it('keys each row by column id and records what the view is missing', () => {
    const json = JSON.parse(
      toJson({
        table: 'Host mappings',
        columns,
        rows: [{ host: '=cmd', cell: 'cell1', n: 1, at: new Date('2026-01-01T00:00:00Z') }],
        notAnswered: [{ uuid: 'u3', name: 'cell3', reason: 'refused', message: 'connection refused' }],
        url: 'http://x/hosts?cell=a',
        exportedAt: new Date('2026-02-02T00:00:00Z'),
      }),
    );
    expect(json).toEqual({
      table: 'Host mappings',
      exportedAt: '2026-02-02T00:00:00.000Z',
      url: 'http://x/hosts?cell=a',
      complete: false,
      notAnswered: [{ uuid: 'u3', name: 'cell3', reason: 'refused', message: 'connection refused' }],
      pending: [],
      columns: columns.map((c) => ({ id: c.id, header: c.header })),
      // JSON is data, not a spreadsheet: the value is as it is.
      rows: [{ host: '=cmd', cell: 'cell1', n: 1, at: '2026-01-01T00:00:00.000Z' }],
    });
  });
});

describe('exportFileName', () => {
  it('names the file after the table and the time', () => {
    expect(exportFileName('Host mappings', 'csv', new Date('2026-12-03T17:05:09Z'))).toBe('cellar-host-mappings-20261203170509.csv');
    expect(exportFileName('../../etc', 'json', new Date('2026-12-03T17:05:09Z'))).toBe('cellar-etc-20261203170509.json');
  });
});
