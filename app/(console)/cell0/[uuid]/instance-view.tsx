'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { CopyButton } from '../../../_components/copy-button';
import { useHasRole } from '../../../_components/require-role';
import { Time, utcString } from '../../../_components/time';
import { CellNotices } from '../../../_components/cell-notices';
import { QueryState } from '../../../_components/query-state';
import { Button, ErrorBox, PageHeader, Table, Td, Th } from '../../../_components/ui';
import { useTRPC } from '../../../_trpc/client';
import type { Cell0InstanceDetail, DeleteCell0Result } from '@/server/triage/contract';
import { DeleteInstancesDialog, describeDeleteResult } from '../delete-instances';
import { FaultText } from '../fault-text';

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid grid-cols-[10rem_1fr] gap-2 py-1">
      <dt className="text-zinc-600 dark:text-zinc-400">{label}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </div>
  );
}

const BACK = (
  <Link href="/cell0" className="text-sm text-sky-800 hover:underline dark:text-sky-300">
    ← cell0
  </Link>
);

export function InstanceView({ uuid }: { uuid: string }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.triage.cell0.get.queryOptions({ uuid }));
  return (
    <QueryState query={q} what="the instance" errorTitle="Cannot show this instance" errorActions={BACK}>
      {(data) =>
        data.state === 'unmapped' ? (
          <div className="space-y-3">
            {BACK}
            <ErrorBox title="Cannot show this instance" message="cell0 is not mapped." />
          </div>
        ) : data.state === 'down' ? (
          <div className="space-y-3">
            {BACK}
            <CellNotices down={data.down} answered={0} total={1} onRetry={() => void q.refetch()} />
            <p className="text-sm">cell0 did not answer, so this instance's fault and request cannot be shown now.</p>
          </div>
        ) : (
          <Instance i={data.data} />
        )
      }
    </QueryState>
  );
}

function Instance({ i }: { i: Cell0InstanceDetail }) {
  const canDelete = useHasRole('support');
  const [confirming, setConfirming] = useState(false);
  const [result, setResult] = useState<DeleteCell0Result | null>(null);
  return (
    <div className="max-w-5xl space-y-6">
      {BACK}
      <PageHeader
        title={i.name ?? i.uuid}
        description={
          <span className="font-mono text-xs">
            cell0 instance {i.uuid}
            <CopyButton value={i.uuid} label="Copy instance uuid" />
          </span>
        }
      >
        {!i.deleted && canDelete ? (
          <Button variant="danger" onClick={() => setConfirming(true)}>
            Delete instance…
          </Button>
        ) : null}
      </PageHeader>

      {result ? (
        <p
          role="status"
          className="rounded border border-emerald-300 bg-emerald-50 p-3 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-100"
        >
          {describeDeleteResult(result)}
        </p>
      ) : null}
      {i.deleted ? (
        <p role="note" className="rounded border border-zinc-300 bg-zinc-100 p-3 text-sm dark:border-zinc-700 dark:bg-zinc-800">
          Deleted
          {i.deletedAt ? (
            <>
              {' '}
              <Time value={i.deletedAt} />
            </>
          ) : null}
          . The rows stay in cell0 (soft-deleted) and the mapping stays
          {i.mapping.queuedForDelete ? ' queued for delete' : ''} until <code>nova-manage db archive_deleted_rows</code>.
        </p>
      ) : null}

      <section aria-labelledby="fault-h" className="rounded border border-red-200 bg-white p-4 dark:border-red-900 dark:bg-zinc-900">
        <h2 id="fault-h" className="mb-2 text-lg font-semibold">
          Fault
        </h2>
        <FaultText fault={i.fault} showHost />
        {i.faultCount > 1 ? (
          <p className="mt-2 text-xs text-zinc-600 dark:text-zinc-400">The latest of {i.faultCount} faults recorded for this instance.</p>
        ) : null}
      </section>

      <section aria-labelledby="request-h" className="rounded border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
        <h2 id="request-h" className="mb-2 text-lg font-semibold">
          Request
        </h2>
        <dl className="text-sm">
          <Field label="Flavor">
            {i.flavor ? (
              <>
                <span className="font-medium">{i.flavor.name}</span>{' '}
                <span className="text-zinc-600 dark:text-zinc-400">
                  ({i.flavor.vcpus} vCPU, {i.flavor.memoryMb} MB RAM, {i.flavor.rootGb} GB disk
                  {i.flavor.ephemeralGb ? ` + ${i.flavor.ephemeralGb} GB ephemeral` : ''}
                  {i.flavor.swap ? `, ${i.flavor.swap} MB swap` : ''}; id {i.flavor.flavorid ?? '?'})
                </span>
              </>
            ) : (
              <span className="italic text-zinc-600 dark:text-zinc-400">the embedded flavor copy cannot be read</span>
            )}
          </Field>
          <Field label="Image">{i.imageRef ? <span className="font-mono text-xs">{i.imageRef}</span> : <span className="italic">boot from volume</span>}</Field>
          <Field label="Project">
            <span className="font-mono text-xs">{i.projectId ?? '—'}</span>
          </Field>
          <Field label="User">
            <span className="font-mono text-xs">{i.userId ?? '—'}</span>
          </Field>
          <Field label="Availability zone">{i.availabilityZone ?? <span className="text-zinc-600 dark:text-zinc-400">any</span>}</Field>
          <Field label="Age">{i.createdAt ? <Time value={i.createdAt} /> : '—'}</Field>
          <Field label="State">
            vm_state {i.vmState ?? 'NULL'}, task_state {i.taskState ?? 'NULL'}
          </Field>
        </dl>
      </section>

      <section aria-labelledby="actions-h">
        <h2 id="actions-h" className="mb-2 text-lg font-semibold">
          Instance actions
        </h2>
        {i.actions.length === 0 ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">No instance actions recorded.</p>
        ) : (
          <Table
            label="Instance actions"
            head={
              <>
                <Th>Action</Th>
                <Th>Started</Th>
                <Th>Message</Th>
                <Th>Events</Th>
                <Th>Request</Th>
              </>
            }
          >
            {i.actions.map((a) => (
              <tr key={a.id}>
                <th scope="row" className="px-3 py-2 text-left align-top font-medium">
                  {a.action}
                </th>
                <Td className="whitespace-nowrap align-top">
                  {a.startTime ? (
                    <span title={utcString(a.startTime)}>
                      <Time value={a.startTime} />
                    </span>
                  ) : (
                    '—'
                  )}
                </Td>
                <Td className="align-top">{a.message ?? '—'}</Td>
                <Td className="align-top">
                  {a.events.length === 0 ? (
                    <span className="text-zinc-600 dark:text-zinc-400">—</span>
                  ) : (
                    <ul className="space-y-1">
                      {a.events.map((ev) => (
                        <li key={`${ev.event}@${String(ev.startTime)}`}>
                          <span className="font-mono text-xs">{ev.event}</span>:{' '}
                          <span className={ev.result === 'Success' ? 'text-emerald-700' : 'font-medium text-red-700 dark:text-red-400'}>
                            {ev.result ?? 'unfinished'}
                          </span>
                          {ev.host ? <span className="text-xs text-zinc-600 dark:text-zinc-400"> on {ev.host}</span> : null}
                          {ev.traceback ? (
                            <details className="text-xs">
                              <summary className="cursor-pointer text-zinc-600 dark:text-zinc-400">Traceback</summary>
                              <pre className="mt-1 max-h-72 overflow-auto rounded bg-zinc-100 p-2 font-mono text-[11px] dark:bg-zinc-950">{ev.traceback}</pre>
                            </details>
                          ) : null}
                        </li>
                      ))}
                    </ul>
                  )}
                </Td>
                <Td className="align-top font-mono text-xs">{a.requestId ?? '—'}</Td>
              </tr>
            ))}
          </Table>
        )}
      </section>

      <DeleteInstancesDialog
        targets={confirming ? [{ uuid: i.uuid, name: i.name }] : []}
        onClose={() => setConfirming(false)}
        onDeleted={(r) => {
          setConfirming(false);
          setResult(r);
        }}
      />
    </div>
  );
}
