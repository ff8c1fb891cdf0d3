/**
 * The export of a table's current view, as CSV and as JSON (browser-safe, pure): the rows
 * shown, in the order shown, the columns shown, and which cells did not answer, so a file
 * read later never passes a partial list off as the whole.
 *
 * CSV is safe to open in a spreadsheet: a text value that a spreadsheet would run as a
 * formula (starting with = + - @, a tab or a carriage return) is written with a leading
 * apostrophe (OWASP's advice for CSV injection); numbers are left as numbers.
 */

export type ExportValue = string | number | boolean | Date | null | undefined;

export interface ExportColumn<T> {
  id: string;
  header: string;
  value: (row: T) => ExportValue;
}

/** A cell that did not answer while the view was made: its rows are missing or UNKNOWN. */
export interface NotAnswered {
  uuid: string;
  name: string | null;
  reason?: string | null;
  message?: string | null;
}

export interface TableExport<T> {
  /** The table's name (its accessible label). */
  table: string;
  columns: readonly ExportColumn<T>[];
  rows: readonly T[];
  notAnswered?: readonly NotAnswered[];
  /** Cells still being asked when the file was made. */
  pending?: readonly { uuid: string; name: string | null }[];
  /** The view's address, so the file says which filters and order made it. */
  url?: string;
  exportedAt?: Date;
}

const FORMULA_START = /^[=+\-@\t\r]/;

function plain(v: ExportValue): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  return v;
}

/** One CSV field: formula-guarded, quoted when it holds a comma, a quote, a line break or edge spaces. */
export function csvField(v: ExportValue): string {
  const p = plain(v);
  if (p === null) return '';
  if (typeof p === 'number') return Number.isFinite(p) ? String(p) : '';
  if (typeof p === 'boolean') return p ? 'true' : 'false';
  const guarded = FORMULA_START.test(p) ? `'${p}` : p;
  return /[",\r\n]|^\s|\s$/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

const cellName = (c: { uuid: string; name: string | null }) => c.name ?? c.uuid;

/** What the view is missing, in words, or null when every cell answered. */
export function missingNote(e: Pick<TableExport<unknown>, 'notAnswered' | 'pending'>): string | null {
  const parts: string[] = [];
  if (e.notAnswered?.length) {
    parts.push(`cells that did not answer: ${e.notAnswered.map((c) => `${cellName(c)}${c.reason ? ` (${c.reason})` : ''}`).join(', ')}`);
  }
  if (e.pending?.length) parts.push(`cells still being asked: ${e.pending.map(cellName).join(', ')}`);
  return parts.length ? `Incomplete view — ${parts.join('; ')}` : null;
}

/**
 * The CSV: a header row of the column headers, then one line per row (CRLF, as RFC 4180).
 * When cells did not answer, the first line says so, starting with '#', so neither a
 * person nor a script can take the file for the whole list.
 */
export function toCsv<T>(e: TableExport<T>): string {
  const lines: string[] = [];
  const note = missingNote(e);
  if (note) lines.push(csvField(`# ${note}`));
  lines.push(e.columns.map((c) => csvField(c.header)).join(','));
  for (const row of e.rows) lines.push(e.columns.map((c) => csvField(c.value(row))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** The JSON: the rows as objects keyed by column id, with what the view is missing. */
export function toJson<T>(e: TableExport<T>): string {
  return `${JSON.stringify(
    {
      table: e.table,
      exportedAt: (e.exportedAt ?? new Date()).toISOString(),
      url: e.url ?? null,
      complete: !missingNote(e),
      notAnswered: (e.notAnswered ?? []).map((c) => ({ uuid: c.uuid, name: c.name, reason: c.reason ?? null, message: c.message ?? null })),
      pending: (e.pending ?? []).map((c) => ({ uuid: c.uuid, name: c.name })),
      columns: e.columns.map((c) => ({ id: c.id, header: c.header })),
      rows: e.rows.map((r) => Object.fromEntries(e.columns.map((c) => [c.id, plain(c.value(r))]))),
    },
    null,
    2,
  )}\n`;
}

/** A file name for the export: the table's name, the time, the format. */
export function exportFileName(table: string, format: 'csv' | 'json', at = new Date()): string {
  const slug = table
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return `cellar-${slug || 'table'}-${at.toISOString().slice(0, 19).replace(/[-:T]/g, '')}.${format}`;
}
