import 'server-only';
/**
 * The fault evidence of cell0 instances, exported before they are deleted (console-ux
 * "Dangerous actions"): CSV (RFC 4180) and JSON, each saying which cells did not answer.
 */
import { isoTime } from '../nova/primitives';
import type { Deps } from '../deps';
import { refuse } from '../errors';
import { cellLabel, type DownCell } from '../cells/cell-ref';
import { type Cell0Filters, cell0Read, CELL0_UNMAPPED_MESSAGE } from './cell0-read';
import { type Cell0Instance, type Cell0Sort, collectCell0Rows, readCell0Rows, toCell0Instance } from './cell0-instances';

/** More than a support engineer reads; a bigger export is a database dump, not evidence. */
export const MAX_EXPORT_ROWS = 10_000;

export type ExportFormat = 'csv' | 'json';

export interface ExportSelection {
  /** These instances; when absent, every live instance matching `filters`. */
  uuids?: string[];
  filters?: Cell0Filters;
  sort?: Cell0Sort;
}

export interface FaultExport {
  filename: string;
  contentType: string;
  body: string;
  rows: number;
  missingCells: DownCell[];
}

export const EXPORT_COLUMNS = [
  'uuid',
  'name',
  'project_id',
  'user_id',
  'flavor',
  'image',
  'fault_message',
  'fault_code',
  'fault_time',
  'fault_details',
] as const;

type Record_ = Record<(typeof EXPORT_COLUMNS)[number], string | number | null>;

function toRecord(i: Cell0Instance): Record_ {
  return {
    uuid: i.uuid,
    name: i.name,
    project_id: i.projectId,
    user_id: i.userId,
    flavor: i.flavor?.name ?? null,
    image: i.imageRef,
    fault_message: i.fault?.message ?? null,
    fault_code: i.fault?.code ?? null,
    fault_time: isoTime(i.fault?.createdAt ?? null),
    fault_details: i.fault?.details ?? null,
  };
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote, a line break or edge
 * spaces, quotes doubled. A field a spreadsheet would run as a formula (=, +, -, @, tab,
 * CR first) gets a leading apostrophe, so opening the evidence cannot execute it.
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(records: readonly Record_[], missing: readonly DownCell[]): string {
  const lines: string[] = [];
  // Said before the header, where a person opening the file cannot miss it.
  for (const m of missing) lines.push(`# cell ${cellLabel(m)} (${m.uuid}) did not answer: ${m.reason}; its instances are not in this export`);
  lines.push(EXPORT_COLUMNS.join(','));
  for (const r of records) lines.push(EXPORT_COLUMNS.map((c) => csvField(r[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function stamp(d: Date): string {
  return d.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
}

export async function exportCell0Faults(deps: Deps, selection: ExportSelection, format: ExportFormat): Promise<FaultExport> {
  const filters = selection.filters ?? {};
  const uuids = selection.uuids ? [...new Set(selection.uuids)] : undefined;
  const read = await cell0Read(deps, async ({ handle }) => {
    const sql = handle.sql;
    if (uuids) {
      const rows = await readCell0Rows(sql, {
        where: sql`i.uuid = any(${uuids}) and i.deleted = 0`,
        sort: selection.sort ?? 'age',
        after: null,
        limit: MAX_EXPORT_ROWS,
      });
      return rows;
    }
    return (await collectCell0Rows(sql, filters, selection.sort ?? 'age', null, MAX_EXPORT_ROWS)).rows;
  });
  if (read.state === 'unmapped') throw refuse.precondition(CELL0_UNMAPPED_MESSAGE);
  const instances = read.state === 'up' ? read.data.map(toCell0Instance) : [];
  const missingCells = read.state === 'down' ? read.down : [];
  const records = instances.map(toRecord);
  const exportedAt = deps.now();
  const base = `cell0-faults-${stamp(exportedAt)}`;
  if (format === 'csv') {
    return { filename: `${base}.csv`, contentType: 'text/csv; charset=utf-8', body: toCsv(records, missingCells), rows: records.length, missingCells };
  }
  const body = JSON.stringify(
    {
      exportedAt: exportedAt.toISOString(),
      cell0: read.cell0,
      missingCells: missingCells.map((m) => ({ uuid: m.uuid, name: m.name, reason: m.reason, message: m.message })),
      // While cell0 is down, how many instances the api database maps to it (nova's UNKNOWN rows).
      unknownInstances: read.state === 'down' ? read.unknownCount : 0,
      selection: uuids ? { uuids } : { filters },
      instances: records,
    },
    null,
    2,
  );
  return { filename: `${base}.json`, contentType: 'application/json; charset=utf-8', body, rows: records.length, missingCells };
}
