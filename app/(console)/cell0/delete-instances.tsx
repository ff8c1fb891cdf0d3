'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { useTRPC } from '../../_trpc/client';
import type { DeleteCell0Result } from '@/server/triage/contract';

export interface DeleteTarget {
  uuid: string;
  name: string | null;
}

/** What a delete did, in words: deleted, already deleted by someone else, not found. */
export function describeDeleteResult(r: DeleteCell0Result): string {
  const parts: string[] = [];
  const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  if (r.deleted.length) parts.push(`Deleted ${n(r.deleted.length, 'instance', 'instances')}.`);
  if (r.alreadyDeleted.length)
    parts.push(
      `${n(r.alreadyDeleted.length, 'instance was', 'instances were')} already deleted; nothing changed for ${r.alreadyDeleted.length === 1 ? 'it' : 'them'}.`,
    );
  if (r.notFound.length) parts.push(`${n(r.notFound.length, 'instance was', 'instances were')} not found: ${r.notFound.join(', ')}.`);
  return parts.join(' ') || 'Nothing to delete.';
}

/**
 * The confirmation for deleting cell0 instances: says what nova's delete does and that it
 * cannot be undone; for more than one, lists them and asks for the count to be typed.
 */
export function DeleteInstancesDialog({
  targets,
  onClose,
  onDeleted,
}: {
  targets: DeleteTarget[];
  onClose: () => void;
  onDeleted: (result: DeleteCell0Result) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const del = useMutation(
    trpc.triage.cell0.delete.mutationOptions({
      onSuccess: async (result) => {
        onDeleted(result);
        await queryClient.invalidateQueries({ queryKey: trpc.triage.cell0.pathKey() });
      },
    }),
  );
  const bulk = targets.length > 1;
  const one = targets[0];
  return (
    <ConfirmDialog
      open={targets.length > 0}
      title={bulk ? `Delete ${targets.length} cell0 instances?` : `Delete cell0 instance ${one?.name ?? one?.uuid ?? ''}?`}
      confirmLabel={bulk ? `Delete ${targets.length} instances` : 'Delete instance'}
      typeToConfirm={bulk ? String(targets.length) : undefined}
      busy={del.isPending}
      error={del.error?.message ?? null}
      onCancel={() => {
        del.reset();
        onClose();
      }}
      onConfirm={() => del.mutate({ uuids: targets.map((t) => t.uuid) })}
    >
      <p>
        Deleted as nova deletes it: the instance goes to <code>deleting</code>, then <code>deleted</code>; its row, flavor copy and faults are soft-deleted (
        <code>deleted = id</code>) and its instance mapping is queued for delete. Its actions stay for audit.
      </p>
      <p className="font-medium">This cannot be undone from the console. Export the fault evidence first if you may need it.</p>
      {bulk ? (
        <ul aria-label="Instances to delete" className="max-h-48 overflow-y-auto rounded border border-zinc-200 p-2 font-mono text-xs dark:border-zinc-700">
          {targets.map((t) => (
            <li key={t.uuid}>
              {t.uuid} {t.name ? <span className="text-zinc-600 dark:text-zinc-400">({t.name})</span> : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="font-mono text-xs">{one?.uuid}</p>
      )}
    </ConfirmDialog>
  );
}
