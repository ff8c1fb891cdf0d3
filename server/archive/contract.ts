/**
 * The archive area for pages and the CLI (browser-safe): archive_deleted_rows' and purge's
 * options as nova-manage takes them, nova's exit codes, and what the procedures answer.
 */
import { z } from 'zod';
import type { Job } from '../jobs/job';

/** nova's db_const.MAX_INT: the largest --max_rows nova takes. */
export const MAX_ROWS_LIMIT = 2_147_483_647;
/** nova-manage's default --max_rows. */
export const DEFAULT_MAX_ROWS = 1000;

/** nova-manage db archive_deleted_rows' exit codes. */
export const ARCHIVE_EXIT = {
  nothingArchived: 0,
  archived: 1,
  badMaxRows: 2,
  apiUnreachable: 3,
  badBefore: 4,
  /** nova: an exception (a cell that cannot be reached) ends nova-manage with 255. */
  failed: 255,
} as const;

/** nova-manage db purge's exit codes. */
export const PURGE_EXIT = {
  purged: 0,
  needBeforeOrAll: 1,
  badBefore: 2,
  nothingPurged: 3,
  apiUnreachable: 4,
  failed: 255,
} as const;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * --before as nova reads it (dateutil, fuzzy): `YYYY-MM-DD [HH:mm[:ss]]`, ISO 8601 with a
 * zone, or what `date` prints (`Thu Dec  3 19:28:38 UTC 2026`). A time without a zone is
 * UTC, as nova's naive datetimes are. null: not a date.
 */
export function parseBefore(text: string): Date | null {
  const s = text.trim();
  let m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?$/i.exec(s);
  if (m) {
    const [, y, mo, d, h = '0', mi = '0', se = '0', frac = '0', zone] = m;
    const ms = Number(`0.${frac}`) * 1000;
    let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se), Math.round(ms));
    if (zone && !/^(z|utc)$/i.test(zone)) {
      const z2 = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
      t -= (z2[1] === '-' ? -1 : 1) * (Number(z2[2]) * 60 + Number(z2[3])) * 60_000;
    }
    const date = new Date(t);
    // 2026-02-31 is no date.
    if (date.getUTCMonth() !== Number(mo) - 1 && !zone) return null;
    return Number.isNaN(t) ? null : date;
  }
  // date(1)'s default: "Thu Dec  3 19:28:38 UTC 2026" (the zone must be UTC or absent: no zone database here).
  m = /^(?:[a-z]{3}\s+)?([a-z]{3})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s+(?:(?:UTC|GMT)\s+)?(\d{4})$/i.exec(s);
  if (m) {
    const month = MONTHS.indexOf(m[1]!.toLowerCase());
    if (month < 0) return null;
    return new Date(Date.UTC(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])));
  }
  return null;
}

const beforeSchema = z
  .date()
  // PostgreSQL's timestamp takes years 1 to 9999 as written here (ISO 8601).
  .min(new Date('0001-01-01T00:00:00Z'), 'before must be after the year 1')
  .max(new Date('9999-12-31T23:59:59Z'), 'before must be before the year 10000')
  .nullable()
  .optional();

export const archiveDryRunInput = z.object({
  before: beforeSchema,
});

export const startArchiveInput = z.object({
  maxRows: z.number().int().min(1).max(MAX_ROWS_LIMIT).default(DEFAULT_MAX_ROWS),
  before: beforeSchema,
});

export const purgeDryRunInput = z.object({
  /** null: every shadow row (nova's --all). */
  before: beforeSchema,
});

export const startPurgeInput = purgeDryRunInput;

/** What would move (or be purged) in one cell: rows per table. */
export interface CellCounts {
  uuid: string;
  name: string | null;
  status: 'up' | 'down';
  /** Down: why (timeout, refused, …) in one line. */
  message: string | null;
  /** Table → rows, tables with none left out. */
  tables: Record<string, number>;
  total: number;
  /** Tables nova would archive that this database cannot (no shadow table). */
  skipped: { table: string; why: string }[];
}

export interface DryRun {
  cells: CellCounts[];
  /** api database rows that go with the archived instances (archive only). */
  api: Record<string, number>;
  total: number;
}

export const ARCHIVE_JOB = 'archive_deleted_rows';
export const PURGE_JOB = 'purge';
/** The target of the console's jobs: every cell, one at a time. */
export const ALL_CELLS_TARGET = 'all-cells';

/** What an archive or purge job stores after each batch; tolerant on read, so an odd row cannot wedge a resume. */
const count = z.number().int().nonnegative().catch(0);
const counts = z.record(z.string(), z.number().int().nonnegative()).catch({});

export const archiveJobCell = z.object({
  uuid: z.string(),
  name: z.string().nullable().catch(null),
  state: z.enum(['pending', 'running', 'done', 'down']).catch('pending'),
  tables: counts,
  total: count,
  message: z.string().nullable().catch(null),
});
export type ArchiveJobCell = z.infer<typeof archiveJobCell>;

export const archiveJobProgress = z.object({
  cells: z.array(archiveJobCell).catch([]),
  api: counts,
  total: count,
  batches: count,
  /** The cell whose batch began and did not record its end: a resumed job looks back there first. */
  inflight: z.string().nullable().catch(null),
});
export type ArchiveJobProgress = z.infer<typeof archiveJobProgress>;

export const readArchiveJobProgress = (progress: Record<string, unknown>): ArchiveJobProgress =>
  archiveJobProgress.parse({ cells: [], api: {}, inflight: null, ...progress });

/** An archive or purge job with its progress read, for the console. */
export interface ArchiveJobView extends Omit<Job, 'progress'> {
  progress: ArchiveJobProgress;
}
