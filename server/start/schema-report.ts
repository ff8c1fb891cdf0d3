import 'server-only';
/**
 * What the start says of each database, one line each: who made its schema and what
 * Cellar did. The api database is migrated (Cellar's own schema always; nova-compatible
 * tables only where Cellar made the database); cells are only read here: a cell nova made
 * is never changed, and a Cellar-made cell is migrated by `db sync` or the embedded set-up.
 */
import { fanOut } from '@/db/fanout';
import type { ApiHandle } from '@/db/connect';
import { applyMigrations, describeMigration, readSchemaStatus } from '@/db/migrate';
import type { CellRegistry } from '@/db/registry';
import { cellLabel } from '../cells/cell-ref';
import { readCellMappings } from '../cells/mappings';

export async function migrateApiAndSay(api: ApiHandle, say: (line: string) => void): Promise<void> {
  say(describeMigration('api database', await applyMigrations(api, 'api')));
}

export async function sayCellSchemas(api: ApiHandle, registry: CellRegistry, deadlineMs: number, say: (line: string) => void): Promise<void> {
  const cells = await readCellMappings(api);
  const outcomes = await fanOut(registry, cells, ({ handle }) => readSchemaStatus(handle.sql, 'cell'), { deadlineMs });
  for (const o of outcomes) {
    const target = `cell ${cellLabel(o.cell)}`;
    if (o.status === 'down') {
      say(`${target}: did not answer (${o.reason}: ${o.message}); its schema was not read`);
      continue;
    }
    const s = o.value;
    const did =
      s.madeBy === 'nova' ? 'Cellar changes nothing in it' : s.state === 'current' ? 'nothing to do' : `run: cellar db sync --cell_uuid ${o.cell.uuid}`;
    say(`${target}: ${s.madeBy === 'nova' ? s.summary : `nova-compatible tables made by Cellar, ${s.summary}`}; ${did}`);
  }
}
