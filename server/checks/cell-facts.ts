import 'server-only';
import type { CellHandle } from '@/db/connect';
import { cellSchemaStatus, type SchemaStatus } from '@/db/migrate';
import { utcDate } from '@/db/timestamps';

export interface ComputeServiceRow {
  host: string;
  version: number;
  forcedDown: boolean;
  disabled: boolean;
  disabledReason: string | null;
  lastSeenUp: Date | null;
  createdAt: Date | null;
}

export interface CellHosts {
  /** Live compute_nodes rows (deleted = 0), ancient host-less rows included, as nova counts them. */
  computeNodes: number;
  /** Distinct hosts of live compute nodes. */
  nodeHosts: string[];
  /** Live nova-compute services (deleted = 0), whatever their heartbeat. */
  computeServices: ComputeServiceRow[];
  /** The newest version of the cell's other live services (conductor, scheduler…): its control plane's nova. */
  newestControlVersion: number | null;
}

export interface CellFacts {
  schema: SchemaStatus;
  /** Null when the cell's tables could not be read: an empty database, or a schema this code cannot query. */
  hosts: CellHosts | null;
  /** Why `hosts` is null, in a plain sentence. */
  unreadable: string | null;
}

// undefined_table, undefined_column: the schema is not what this code reads.
const SCHEMA_MISMATCH = new Set(['42P01', '42703']);

/**
 * What the checks need from one cell, in one statement: its live compute-node hosts and
 * its nova-compute services. It runs beside the schema read rather than after it, so a
 * cell costs the time of its slowest query, not the sum; an empty or foreign schema makes
 * the host read fail, and that is reported as unreadable with the schema state explaining it.
 */
export async function readCellFacts(handle: CellHandle): Promise<CellFacts> {
  const hostsRead = handle.sql<
    {
      kind: 'node' | 'service' | 'control';
      host: string | null;
      n: number;
      version: number | null;
      forced_down: boolean | null;
      disabled: boolean | null;
      disabled_reason: string | null;
      last_seen_up: string | null;
      created_at: string | null;
    }[]
  >`
    select 'node' as kind, host, count(*)::int as n, null::int as version, null::boolean as forced_down,
           null::boolean as disabled, null::text as disabled_reason, null::text as last_seen_up, null::text as created_at
      from compute_nodes where deleted = 0 group by host
    union all
    select 'service', host, 1, coalesce(version, 0), coalesce(forced_down, false),
           coalesce(disabled, false), disabled_reason, last_seen_up::text, created_at::text
      from services where deleted = 0 and "binary" = 'nova-compute' and host is not null
    union all
    select 'control', null, 1, max(version), null, null, null, null, null
      from services where deleted = 0 and "binary" <> 'nova-compute'`.then(
    (rows) => ({ rows }),
    (error: unknown) => ({ error }),
  );
  const schema = await cellSchemaStatus(handle.sql);
  const read = await hostsRead;
  if ('error' in read) {
    const code = (read.error as { code?: string }).code;
    if (schema.state !== 'current' && code && SCHEMA_MISMATCH.has(code)) {
      return { schema, hosts: null, unreadable: `its hosts could not be read (${schema.summary})` };
    }
    throw read.error;
  }
  const hosts: CellHosts = { computeNodes: 0, nodeHosts: [], computeServices: [], newestControlVersion: null };
  for (const r of read.rows) {
    if (r.kind === 'control') {
      hosts.newestControlVersion = r.version;
    } else if (r.kind === 'node') {
      hosts.computeNodes += r.n;
      if (r.host !== null) hosts.nodeHosts.push(r.host);
    } else {
      hosts.computeServices.push({
        host: r.host!,
        version: r.version ?? 0,
        forcedDown: r.forced_down ?? false,
        disabled: r.disabled ?? false,
        disabledReason: r.disabled_reason,
        lastSeenUp: utcDate(r.last_seen_up),
        createdAt: utcDate(r.created_at),
      });
    }
  }
  return { schema, hosts, unreadable: null };
}
