import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import type { Deps } from '../deps';
import { csvField, EXPORT_COLUMNS, exportCell0Faults } from './export-faults';
import { buryInCell0, depsFor, takeCell0Down } from './testing';

let dep: TestDeployment;
let deps: Deps;
const NOW = new Date('2031-05-06T07:08:09Z');

// What support pastes into a ticket must survive the trip through a spreadsheet intact.
const NASTY_DETAILS =
  'Traceback (most recent call last):\n  File "/usr/lib/python3/nova/conductor.py", line 1, in f\n    raise NoValidHost(reason="a, b")\r\nnova.exception.NoValidHost: "quoted", and, commas';
const NASTY_MESSAGE = 'No valid host was found. Host "cmp-1", reason: \'full\', x';
const FORMULA_NAME = '=HYPERLINK("http://evil.example/","click")';

let nasty: string;
let plain: string;

beforeAll(async () => {
  dep = await createTestDeployment({ cells: [] });
  deps = depsFor(dep, { now: () => NOW });
  nasty = await buryInCell0(dep, {
    name: FORMULA_NAME,
    projectId: 'p,1',
    flavor: 'm1.small',
    createdAt: new Date('2031-05-01T00:00:00Z'),
    faults: [{ message: NASTY_MESSAGE, code: 500, details: NASTY_DETAILS, createdAt: new Date('2031-05-01T00:00:07Z') }],
  });
  plain = await buryInCell0(dep, {
    name: 'web-1',
    projectId: 'p2',
    imageRef: '',
    flavor: 'm1.legacy',
    createdAt: new Date('2031-05-02T00:00:00Z'),
    faults: [
      {
        message: 'Quota exceeded for cores: Requested 8, but already used 118 of 120 cores',
        code: 403,
        details: '',
        createdAt: new Date('2031-05-02T00:00:05Z'),
      },
    ],
  });
});

afterAll(() => dep?.close());

/** A strict RFC 4180 reader: what a spreadsheet or Python's csv module would read back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') {
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else if (c === '"') {
      throw new Error(`stray quote at ${i}`);
    } else {
      field += c;
      i++;
    }
  }
  if (field !== '' || row.length) throw new Error('the last record does not end with CRLF');
  return rows;
}

describe('exportCell0Faults as CSV', () => {
  it('round-trips commas, quotes and line breaks in the fault evidence exactly', async () => {
    const out = await exportCell0Faults(deps, { uuids: [nasty, plain] }, 'csv');
    expect(out.contentType).toBe('text/csv; charset=utf-8');
    expect(out.filename).toBe('cell0-faults-20310506-070809.csv');
    expect(out.missingCells).toEqual([]);
    const [header, ...records] = parseCsv(out.body);
    expect(header).toEqual([...EXPORT_COLUMNS]);
    const byUuid = Object.fromEntries(records.map((r) => [r[0], Object.fromEntries(header!.map((h, n) => [h, r[n]]))]));
    expect(records).toHaveLength(2);
    expect(byUuid[nasty]).toEqual({
      uuid: nasty,
      // A spreadsheet must not run it as a formula: the apostrophe makes it text.
      name: `'${FORMULA_NAME}`,
      project_id: 'p,1',
      user_id: 'u-triage',
      flavor: 'm1.small',
      image: 'img-1',
      fault_message: NASTY_MESSAGE,
      fault_code: '500',
      fault_time: '2031-05-01T00:00:07Z',
      fault_details: NASTY_DETAILS,
    });
    expect(byUuid[plain]).toMatchObject({ flavor: 'm1.legacy', image: '', fault_code: '403', fault_details: '' });
    // Newest first, as the page shows them.
    expect(records.map((r) => r[0])).toEqual([plain, nasty]);
  });

  it('exports what the filters select when nothing is ticked', async () => {
    const out = await exportCell0Faults(deps, { filters: { fault: 'quota' } }, 'csv');
    const [, ...records] = parseCsv(out.body);
    expect(records.map((r) => r[0])).toEqual([plain]);
    expect(out.rows).toBe(1);
  });

  it('says which cell did not answer, before the header, when cell0 is down', async () => {
    const down = await takeCell0Down(dep);
    try {
      const out = await exportCell0Faults(deps, { uuids: [nasty] }, 'csv');
      const lines = out.body.split('\r\n');
      expect(lines[0]).toBe('# cell cell0 (00000000-0000-0000-0000-000000000000) did not answer: refused; its instances are not in this export');
      expect(lines[1]).toBe(EXPORT_COLUMNS.join(','));
      expect(lines[2]).toBe('');
      expect(out.body).not.toContain('s3cret');
    } finally {
      await down.restore();
    }
  });
});

describe('exportCell0Faults as JSON', () => {
  it('holds the same evidence, the selection, and the missing cells', async () => {
    const out = await exportCell0Faults(deps, { uuids: [nasty] }, 'json');
    expect(out.contentType).toBe('application/json; charset=utf-8');
    const body = JSON.parse(out.body);
    expect(body).toMatchObject({
      exportedAt: '2031-05-06T07:08:09.000Z',
      cell0: { uuid: '00000000-0000-0000-0000-000000000000', name: 'cell0' },
      missingCells: [],
      selection: { uuids: [nasty] },
    });
    // JSON is not a spreadsheet: the name is exported as stored.
    expect(body.instances).toEqual([
      {
        uuid: nasty,
        name: FORMULA_NAME,
        project_id: 'p,1',
        user_id: 'u-triage',
        flavor: 'm1.small',
        image: 'img-1',
        fault_message: NASTY_MESSAGE,
        fault_code: 500,
        fault_time: '2031-05-01T00:00:07Z',
        fault_details: NASTY_DETAILS,
      },
    ]);
  });

  it('records the missing cell and how many instances the api database maps to it', async () => {
    const down = await takeCell0Down(dep);
    try {
      const body = JSON.parse((await exportCell0Faults(deps, {}, 'json')).body);
      expect(body.instances).toEqual([]);
      expect(body.missingCells).toEqual([expect.objectContaining({ name: 'cell0', reason: 'refused' })]);
      expect(body.unknownInstances).toBe(2);
    } finally {
      await down.restore();
    }
  });
});

describe('csvField', () => {
  it.each([
    [null, ''],
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    [' padded', '" padded"'],
    ['-1 hosts', "'-1 hosts"],
    ['@SUM(A1)', "'@SUM(A1)"],
    [500, '500'],
  ])('%j → %s', (value, expected) => {
    expect(csvField(value as string | number | null)).toBe(expected);
  });
});
