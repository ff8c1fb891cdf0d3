import 'server-only';
/**
 * Look an instance up by its name: names are not unique (nova allows any number of
 * "web-1", in one project or across cells), so this answers every live instance of that
 * name in every cell asked, each with its cell, newest first. Exact, case-insensitive,
 * as a person types a name they read somewhere; no index covers names, as none does for
 * nova's own name filter. The api database keeps no names, so a cell that does not answer
 * cannot be searched: it is reported as down, never as "none".
 */
import { fanOut } from '@/db/fanout';
import { utcDate } from '@/db/timestamps';
import { type CellSummary, type DownCell, downCell } from '../cells/cell-ref';
import { chooseCells, readCellMappings } from '../cells/mappings';
import type { Deps } from '../deps';
import { FAKE_INSTANCE_UUID } from '../nova/constants';
import { type FindByNameInput, findByNameInput, NAME_MATCHES_PER_CELL } from './find-by-name-input';
import { TIMESTAMP_TEXT } from './read-cell-batch';
import { statusFromState } from './status';

export interface NameMatch {
  uuid: string;
  name: string | null;
  cell: CellSummary;
  status: string;
  host: string | null;
  projectId: string | null;
  createdAt: Date | null;
}

export interface NameMatches {
  name: string;
  matches: NameMatch[];
  /** Cells that had more matches than were read (NAME_MATCHES_PER_CELL each). */
  truncated: CellSummary[];
  down: DownCell[];
  answered: number;
  total: number;
  asOf: Date;
}

export async function findInstancesByName(deps: Deps, input: FindByNameInput): Promise<NameMatches> {
  const q = findByNameInput.parse(input);
  const cells = chooseCells(await readCellMappings(deps.api), q.cellUuids);
  const outcomes = await fanOut(
    deps.registry,
    cells,
    ({ handle }) => handle.sql<
      {
        uuid: string;
        display_name: string | null;
        vm_state: string | null;
        task_state: string | null;
        host: string | null;
        project_id: string | null;
        created_at: string | null;
      }[]
    >`select i.uuid, i.display_name, i.vm_state, i.task_state, i.host, i.project_id, to_char(i.created_at, ${TIMESTAMP_TEXT}) as created_at
      from instances i
      where lower(i.display_name) = lower(${q.name}) and i.deleted = 0 and i.hidden is not true and i.uuid <> ${FAKE_INSTANCE_UUID}
      order by i.created_at desc nulls last, i.uuid
      limit ${NAME_MATCHES_PER_CELL + 1}`,
    { deadlineMs: deps.deadlineMs },
  );
  const matches: NameMatch[] = [];
  const truncated: CellSummary[] = [];
  const down: DownCell[] = [];
  for (const o of outcomes) {
    if (o.status === 'down') {
      down.push(downCell(o));
      continue;
    }
    if (o.value.length > NAME_MATCHES_PER_CELL) truncated.push(o.cell);
    for (const r of o.value.slice(0, NAME_MATCHES_PER_CELL)) {
      matches.push({
        uuid: r.uuid,
        name: r.display_name,
        cell: o.cell,
        status: statusFromState(r.vm_state, r.task_state),
        host: r.host,
        projectId: r.project_id,
        createdAt: utcDate(r.created_at),
      });
    }
  }
  matches.sort((a, b) => (b.createdAt?.getTime() ?? -Infinity) - (a.createdAt?.getTime() ?? -Infinity) || (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0));
  return { name: q.name, matches, truncated, down, answered: cells.length - down.length, total: cells.length, asOf: deps.now() };
}
