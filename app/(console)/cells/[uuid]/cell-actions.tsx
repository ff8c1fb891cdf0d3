'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmDialog } from '../../../_components/confirm-dialog';
import { CheckboxField, TextField } from '../../../_components/fields';
import { RestartNotice } from '../../../_components/restart-notice';
import { Button, ErrorBox } from '../../../_components/ui';
import { useTRPC } from '../../../_trpc/client';
import { CELL_NAME_MAX, type CellDetail, cellLabel } from '@/server/cells/contract';

export interface DeletedCell {
  uuid: string;
  label: string;
  hostMappings: number;
  instanceMappings: number;
  computeNodesUnmapped: number;
  notice: string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Rename, enable/disable and delete, each refused by the server with nova's rules when it must be. */
export function CellActions({ detail, onDeleted }: { detail: CellDetail; onDeleted: (d: DeletedCell) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { cell } = detail;
  const label = cellLabel(cell);
  const [renaming, setRenaming] = useState(false);
  const [newName, setNewName] = useState(cell.name ?? '');
  const [outcome, setOutcome] = useState<{ text: string; notices: string[] } | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [force, setForce] = useState(false);

  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.cells.detail.queryKey({ uuid: cell.uuid }) }),
      queryClient.invalidateQueries({ queryKey: trpc.cells.list.queryKey() }),
    ]);
  const rename = useMutation(
    trpc.cells.rename.mutationOptions({
      onSuccess: async (r) => {
        setRenaming(false);
        setOutcome({ text: `Renamed to ${r.cell.name}. Nothing else changed.`, notices: r.notices });
        await refresh();
      },
    }),
  );
  const toggle = useMutation(
    trpc.cells.setDisabled.mutationOptions({
      onSuccess: async (r) => {
        setOutcome({
          text: r.messages.length ? r.messages.join(' ') : `Cell ${cellLabel(r.cell)} is now ${r.cell.disabled ? 'disabled' : 'enabled'}.`,
          notices: r.notices,
        });
        await refresh();
      },
    }),
  );
  const del = useMutation(
    trpc.cells.delete.mutationOptions({
      onSuccess: async (r) => {
        setDeleting(false);
        onDeleted({
          uuid: r.cell.uuid,
          label: cellLabel(r.cell),
          hostMappings: r.deleted.hostMappings,
          instanceMappings: r.deleted.instanceMappings,
          computeNodesUnmapped: r.computeNodesUnmapped,
          notice: r.notice,
        });
        await queryClient.invalidateQueries({ queryKey: trpc.cells.list.queryKey() });
      },
    }),
  );
  const busy = rename.isPending || toggle.isPending || del.isPending;
  const actionError = rename.error ?? toggle.error;

  const hosts = detail.hostMappings.length;
  return (
    <section aria-label="Cell actions" className="space-y-3">
      <div className="flex flex-wrap items-center gap-2">
        {renaming ? (
          <form
            aria-label="Rename cell"
            className="flex flex-wrap items-center gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              toggle.reset();
              rename.mutate({ uuid: cell.uuid, name: newName });
            }}
          >
            <TextField inline label="New name" autoFocus value={newName} maxLength={CELL_NAME_MAX} onChange={(e) => setNewName(e.target.value)} />
            <Button type="submit" variant="primary" disabled={busy || !newName.trim()}>
              Save name
            </Button>
            <Button onClick={() => setRenaming(false)} disabled={busy}>
              Cancel
            </Button>
          </form>
        ) : (
          <Button
            onClick={() => {
              setNewName(cell.name ?? '');
              setRenaming(true);
            }}
            disabled={busy}
          >
            Rename
          </Button>
        )}
        <Button
          onClick={() => {
            rename.reset();
            toggle.mutate({ uuid: cell.uuid, disabled: !cell.disabled });
          }}
          disabled={busy}
        >
          {cell.disabled ? 'Enable cell' : 'Disable cell'}
        </Button>
        <Button
          variant="danger"
          onClick={() => {
            del.reset();
            setForce(false);
            setDeleting(true);
          }}
          disabled={busy}
        >
          Delete cell
        </Button>
      </div>

      {actionError ? <ErrorBox title="Refused" message={actionError.message} /> : null}
      {outcome && !actionError ? (
        <div className="space-y-2">
          <p role="status" className="text-sm">
            {outcome.text}
          </p>
          {outcome.notices.map((n) => (
            <RestartNotice key={n} notice={n} />
          ))}
        </div>
      ) : null}

      <ConfirmDialog
        open={deleting}
        title={`Delete cell ${label}?`}
        confirmLabel={force ? 'Force delete' : 'Delete'}
        typeToConfirm={force ? label : undefined}
        busy={del.isPending}
        error={del.error?.message ?? null}
        onConfirm={() => del.mutate({ uuid: cell.uuid, force })}
        onCancel={() => setDeleting(false)}
      >
        <p>
          This deletes the cell mapping of <strong>{label}</strong> (<span className="font-mono text-xs">{cell.uuid}</span>). Its database is not touched
          {force ? ' except for compute_nodes.mapped' : ''}. nova&apos;s services keep using the cell until they are restarted. This cannot be undone.
        </p>
        {detail.liveInstances ? (
          <p className="font-medium text-red-800 dark:text-red-300">
            It has {plural(detail.liveInstances, 'live instance')}: the delete will be refused, even when forced.
          </p>
        ) : null}
        {hosts > 0 && !force ? <p>It has {plural(hosts, 'mapped host')}: the delete is refused unless you force it.</p> : null}
        {detail.status === 'down' ? (
          <p>Its database does not answer: if it has to be read (instance mappings, or forcing with mapped hosts), nothing will be deleted.</p>
        ) : null}
        <CheckboxField
          label="Force (nova-manage delete_cell --force)"
          description={
            <>
              Also delete its {plural(hosts, 'host mapping')} and the {plural(detail.instanceMappings, 'instance mapping')} of deleted instances, and set its
              compute nodes back to unmapped (mapped = 0) so a later discover_hosts finds them again. Never deletes a cell with live instances.
            </>
          }
          checked={force}
          onChange={(e) => setForce(e.target.checked)}
          disabled={del.isPending}
        />
      </ConfirmDialog>
    </section>
  );
}
