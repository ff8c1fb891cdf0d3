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
  const [toggling, setToggling] = useState(false);

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
        setToggling(false);
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
  // The toggle's refusals are shown in its dialog while it is open.
  const actionError = rename.error ?? (toggling ? null : toggle.error);

  const hosts = detail.hostMappings.length;
  const refused = deleteRefusal(detail);
  const toggleRefused = cell.isCell0 ? CELL0_TOGGLE_REFUSAL : null;
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
            toggle.reset();
            setToggling(true);
          }}
          disabled={busy || toggleRefused !== null}
          aria-describedby={toggleRefused ? 'cell-toggle-refusal' : undefined}
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
          disabled={busy || refused !== null}
          aria-describedby={refused ? 'cell-delete-refusal' : undefined}
        >
          Delete cell
        </Button>
      </div>
      {toggleRefused || refused ? (
        <ul className="space-y-1 text-sm">
          {toggleRefused ? (
            <li id="cell-toggle-refusal" data-refusal="toggle">
              <span className="font-medium">{cell.disabled ? 'Enable' : 'Disable'} is not offered:</span> {toggleRefused}
            </li>
          ) : null}
          {refused ? (
            <li id="cell-delete-refusal" data-refusal="delete">
              <span className="font-medium">Delete is not offered:</span> {refused}
            </li>
          ) : null}
        </ul>
      ) : null}

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
        open={toggling}
        title={`${cell.disabled ? 'Enable' : 'Disable'} cell ${label}?`}
        confirmLabel={cell.disabled ? 'Enable cell' : 'Disable cell'}
        confirmVariant={cell.disabled ? 'primary' : 'danger'}
        busy={toggle.isPending}
        error={toggle.error?.message ?? null}
        onConfirm={() => toggle.mutate({ uuid: cell.uuid, disabled: !cell.disabled })}
        onCancel={() => {
          setToggling(false);
          toggle.reset();
        }}
      >
        <ToggleConsequences label={label} disabling={!cell.disabled} />
      </ConfirmDialog>

      <ConfirmDialog
        open={deleting}
        title={`Delete cell ${label}?`}
        confirmLabel={force ? 'Force delete' : 'Delete'}
        typeToConfirm={force ? label : undefined}
        refusal={force ? undefined : unlessForced(detail)}
        busy={del.isPending}
        error={del.error?.message ?? null}
        onConfirm={() => del.mutate({ uuid: cell.uuid, force })}
        onCancel={() => setDeleting(false)}
      >
        <p>
          This deletes the cell mapping of <strong>{label}</strong> (<span className="font-mono text-xs">{cell.uuid}</span>). Its database is not touched
          {force ? ' except for compute_nodes.mapped' : ''}. nova&apos;s services keep using the cell until they are restarted. This cannot be undone.
        </p>
        {detail.status === 'down' ? <p>Its database does not answer; no host or instance is mapped to it, so the delete does not need to read it.</p> : null}
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

/** nova-manage update_cell exits 5 for either flag on cell0. */
const CELL0_TOGGLE_REFUSAL = 'nova refuses to disable or enable cell0 ("Cell0 cannot be disabled.", nova-manage update_cell exits 5).';

/**
 * What nova's services see after the flag changes, in cells-v2.md's words: cell_mappings.disabled
 * is read by nova-scheduler, which caches the cell mappings (HostManager.refresh_cells_caches),
 * so the change "takes effect in the scheduler only after SIGHUP or restart".
 */
function ToggleConsequences({ label, disabling }: { label: string; disabling: boolean }) {
  return disabling ? (
    <>
      <p>
        This sets <code>cell_mappings.disabled</code> for <strong>{label}</strong>: nova-scheduler stops placing new instances in this cell.
      </p>
      <p>
        nova-scheduler caches the cell mappings, so this takes effect in the scheduler only after a SIGHUP or a restart of every nova-scheduler; until then it
        still places instances here.
      </p>
      <p>Instances already in the cell keep running; nothing in the cell&apos;s database changes. Enabling the cell again undoes this.</p>
    </>
  ) : (
    <>
      <p>
        This clears <code>cell_mappings.disabled</code> for <strong>{label}</strong>: nova-scheduler may place new instances in this cell again.
      </p>
      <p>
        nova-scheduler caches the cell mappings, so this takes effect in the scheduler only after a SIGHUP or a restart of every nova-scheduler; until then it
        places nothing here.
      </p>
    </>
  );
}

/**
 * Why nova would refuse to delete this cell whatever is chosen (delete_cell exits 3 for live
 * instances, even forced), or null. A cell that does not answer cannot be shown to hold no
 * live instance, so with any instance or host mapping nothing would be deleted either.
 */
function deleteRefusal(d: CellDetail): string | null {
  const label = cellLabel(d.cell);
  const hosts = d.hostMappings.length;
  if (d.liveInstances) {
    return `${label} has ${plural(d.liveInstances, 'live instance')}: nova refuses to delete a cell with live instances, even forced (delete_cell exits 3). Delete them first.`;
  }
  if (d.status === 'down' && (d.instanceMappings > 0 || hosts > 0)) {
    const holds = [hosts ? plural(hosts, 'host mapping') : null, d.instanceMappings ? plural(d.instanceMappings, 'instance mapping') : null]
      .filter(Boolean)
      .join(' and ');
    return `${label}'s database does not answer: with its ${holds} it has to be read before anything is deleted, so nothing would be. Try again when it answers.`;
  }
  return null;
}

/** Why nova refuses the delete unless it is forced (delete_cell exits 2 for mapped hosts, 4 for mappings of deleted instances), or undefined. */
function unlessForced(d: CellDetail): string | undefined {
  const hosts = d.hostMappings.length;
  if (hosts > 0)
    return `nova refuses this delete while ${plural(hosts, 'host is', 'hosts are')} mapped to the cell (delete_cell exits 2): force it to delete the host mappings too.`;
  if (d.instanceMappings > 0 && d.liveInstances === 0) {
    return `nova refuses this delete while ${plural(d.instanceMappings, 'instance mapping')} of deleted instances remain (delete_cell exits 4): archive them (nova-manage db archive_deleted_rows) or force the delete to remove them.`;
  }
  return undefined;
}
