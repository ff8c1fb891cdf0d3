'use client';

import { HostLink } from '../../../_components/links';
import { Time } from '../../../_components/time';
import { EmptyBox, Table, Td, Th } from '../../../_components/ui';
import { type CellDetail, cellLabel } from '@/server/cells/contract';

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
        <Table
          label={`Host mappings of cell ${label}`}
          maxHeight="70vh"
          head={
            <>
              <Th>Host</Th>
              <Th>Mapped</Th>
              <Th>In the cell database</Th>
            </>
          }
        >
          {rows.map((h) => (
            <tr key={h.host}>
              <th scope="row" className="px-3 py-2 text-left font-medium">
                <HostLink host={h.host} />
              </th>
              <Td>{h.createdAt ? <Time value={h.createdAt} /> : '—'}</Td>
              <Td>
                {h.inCellDatabase === null ? (
                  <span className="text-zinc-600 dark:text-zinc-400">unknown: the cell did not answer</span>
                ) : h.inCellDatabase ? (
                  'yes'
                ) : (
                  <span className="font-medium text-amber-800 dark:text-amber-300">no live compute node or service: a stale mapping?</span>
                )}
              </Td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}
