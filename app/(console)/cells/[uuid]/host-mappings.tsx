'use client';

import type { DataColumn } from '../../../_components/data-table';
import { DataTable } from '../../../_components/data-table';
import { HostLink } from '../../../_components/links';
import { Time } from '../../../_components/time';
import { EmptyBox } from '../../../_components/ui';
import { type CellDetail, cellLabel } from '@/server/cells/contract';

type HostMapping = CellDetail['hostMappings'][number];

function inCellText(h: HostMapping): string {
  if (h.inCellDatabase === null) return 'unknown: the cell did not answer';
  return h.inCellDatabase ? 'yes' : 'no live compute node or service: a stale mapping?';
}

const COLUMNS: DataColumn<HostMapping>[] = [
  { id: 'host', header: 'Host', rowHeader: true, always: true, sort: 'client', value: (h) => h.host, cell: (h) => <HostLink host={h.host} /> },
  {
    id: 'mapped',
    header: 'Mapped',
    sort: 'client',
    firstDir: 'desc',
    value: (h) => h.createdAt,
    cell: (h) => (h.createdAt ? <Time value={h.createdAt} /> : '—'),
  },
  {
    id: 'in_cell_database',
    header: 'In the cell database',
    sort: 'client',
    value: inCellText,
    cell: (h) =>
      h.inCellDatabase === null ? (
        <span className="text-zinc-500">{inCellText(h)}</span>
      ) : h.inCellDatabase ? (
        'yes'
      ) : (
        <span className="font-medium text-amber-800 dark:text-amber-300">{inCellText(h)}</span>
      ),
  },
];

/** The cell's host mappings from the api database: shown even when the cell does not answer. */
export function HostMappingsTable({ detail }: { detail: CellDetail }) {
  const label = cellLabel(detail.cell);
  const rows = detail.hostMappings;
  return (
    <section aria-label="Host mappings" className="space-y-2">
      <h2 className="text-lg font-semibold">Host mappings</h2>
      {rows.length === 0 ? (
        <EmptyBox>
          {detail.cell.isCell0
            ? 'No host is mapped to cell0, as it should be.'
            : 'No host is mapped to this cell. Compute hosts that report to its database appear on the Unmapped computes page until they are discovered.'}
        </EmptyBox>
      ) : (
        <DataTable
          label={`Host mappings of cell ${label}`}
          prefix="map_"
          columns={COLUMNS}
          rows={rows}
          rowKey={(h) => h.host}
          // The mappings are the api database's; whether each host is in the cell is the cell's answer.
          notAnswered={detail.down ? [detail.down] : undefined}
        />
      )}
    </section>
  );
}
