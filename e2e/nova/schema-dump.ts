/**
 * The public schema of the nova deployment's four databases, to show Cellar changed nothing
 * in them: `pg_dump --schema-only --schema=public`, normalised as db/testing/nova does
 * (its pgDump and normaliseDump, the same as NovaDeployment.dumpPublicSchemas).
 *
 * pg_dump refuses a server newer than itself: the machine's is PostgreSQL 15 (Debian),
 * the embedded cluster 18. There, the schema is read from the catalogs instead: every
 * relation, column, default, constraint, index, trigger, view, sequence, function, type,
 * owner, grant and comment in public, one sorted line each. The before and after files say
 * which way they were made, and are compared only with one made the same way.
 */
import { catalogDump, type DumpMethod } from '../../db/testing/nova/catalog-dump';
import { normaliseDump, pgDump } from '../../db/testing/nova/nova-deployment';

export { dumpMethodFor, type DumpMethod } from '../../db/testing/nova/catalog-dump';
import type { NovaE2eDatabase } from './paths';

export type Role = NovaE2eDatabase['role'];
export const ROLES: Role[] = ['api', 'cell0', 'cell1', 'cell2'];

export interface SchemaDumps {
  method: DumpMethod;
  /** why this method: the two versions */
  why: string;
  dumps: Record<Role, string>;
}

/** Dump the public schema of each database, the chosen way. */
export async function dumpPublicSchemas(databases: Record<Role, { url: string; database: string }>, method: DumpMethod): Promise<Record<Role, string>> {
  const one = async (role: Role) => {
    const { url, database } = databases[role];
    return [role, method === 'pg_dump' ? normaliseDump(await pgDump(url), database) : await catalogDump(url)] as const;
  };
  return Object.fromEntries(await Promise.all(ROLES.map(one))) as Record<Role, string>;
}

/** The lines only in `a` and only in `b`, for a readable failure. */
export function lineDiff(a: string, b: string): { onlyBefore: string[]; onlyAfter: string[] } {
  const la = a.split('\n');
  const lb = b.split('\n');
  const sb = new Set(lb);
  const sa = new Set(la);
  return { onlyBefore: la.filter((l) => !sb.has(l)), onlyAfter: lb.filter((l) => !sa.has(l)) };
}
