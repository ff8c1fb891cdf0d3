'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useId, useState, type ReactNode } from 'react';
import { RestartNotice } from '../../../_components/restart-notice';
import { Button, ErrorBox } from '../../../_components/ui';
import { useTRPC } from '../../../_trpc/client';

interface Values {
  name: string;
  transportUrl: string;
  databaseConnection: string;
  disabled: boolean;
}

const INPUT = 'mt-1 block w-full rounded border border-zinc-300 px-2 py-1 font-mono text-sm dark:border-zinc-700 dark:bg-zinc-950';

function Field({ label, hint, children }: { label: string; hint?: ReactNode; children: (id: string, hintId: string) => ReactNode }) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      {children(id, hintId)}
      {hint ? (
        <p id={hintId} className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/**
 * The create form. The server validates the URLs, probes the database and refuses a
 * database that does not answer or has no current cell schema (unless the cell is
 * created disabled); for an empty database it offers to create the schema.
 */
export function CreateCellForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [values, setValues] = useState<Values>({ name: '', transportUrl: '', databaseConnection: '', disabled: false });
  const create = useMutation(
    trpc.cells.create.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.cells.list.queryKey() }),
    }),
  );
  const set = <K extends keyof Values>(key: K, value: Values[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    // What was refused was the previous input; a new one gets a fresh answer.
    if (create.isError) create.reset();
  };
  const submit = (migrate: boolean) =>
    create.mutate({
      name: values.name.trim() || undefined,
      transportUrl: values.transportUrl,
      databaseConnection: values.databaseConnection,
      disabled: values.disabled,
      migrate,
    });
  const canMigrate = create.error?.data?.refusal?.details?.canMigrate === true;

  if (create.isSuccess) {
    const r = create.data;
    const label = r.cell.name ?? r.cell.uuid;
    return (
      <section aria-label="Cell created" className="space-y-3">
        <p role="status" className="text-sm">
          Cell <strong>{label}</strong> created{r.migrated ? ' (its database schema was created first)' : ''}
          {r.cell.disabled ? ', disabled' : ''}. Its uuid is <span className="font-mono">{r.cell.uuid}</span>.
        </p>
        {r.warnings.map((w) => (
          <p key={w} className="rounded border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
            {w}
          </p>
        ))}
        <RestartNotice notice={r.notice} />
        <div className="flex gap-3 text-sm">
          <Link href={`/cells/${r.cell.uuid}`} className="text-sky-700 underline dark:text-sky-400">
            Open cell {label}
          </Link>
          <Link href="/" className="text-sky-700 underline dark:text-sky-400">
            Back to the cells
          </Link>
        </div>
      </section>
    );
  }

  return (
    <form
      aria-label="Create cell"
      className="space-y-4 rounded border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900"
      onSubmit={(e) => {
        e.preventDefault();
        submit(false);
      }}
    >
      <Field label="Name" hint="Optional, and not unique: cells are known by their uuid.">
        {(id, hintId) => (
          <input id={id} aria-describedby={hintId} value={values.name} maxLength={255} onChange={(e) => set('name', e.target.value)} className={INPUT} />
        )}
      </Field>
      <Field label="Transport URL" hint="The cell's message queue, e.g. rabbit://nova:password@rabbit.example.net:5672/nova_cell3.">
        {(id, hintId) => (
          <input
            id={id}
            aria-describedby={hintId}
            required
            autoComplete="off"
            spellCheck={false}
            value={values.transportUrl}
            onChange={(e) => set('transportUrl', e.target.value)}
            className={INPUT}
          />
        )}
      </Field>
      <Field
        label="Database URL"
        hint={
          <>
            PostgreSQL, e.g. postgresql://nova:password@db.example.net:5432/nova_cell3, or a template such as{' '}
            <code>{'{scheme}://{username}:{password}@{hostname}:{port}/nova_cell3'}</code> expanded from CELLAR_DATABASE_URL.
          </>
        }
      >
        {(id, hintId) => (
          <input
            id={id}
            aria-describedby={hintId}
            required
            autoComplete="off"
            spellCheck={false}
            value={values.databaseConnection}
            onChange={(e) => set('databaseConnection', e.target.value)}
            className={INPUT}
          />
        )}
      </Field>
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" className="mt-1" checked={values.disabled} onChange={(e) => set('disabled', e.target.checked)} />
        <span>
          Create it disabled
          <span className="block text-xs text-zinc-600 dark:text-zinc-400">
            The schedulers will not place instances in it. A disabled cell may be saved even when its database does not answer or is not migrated yet.
          </span>
        </span>
      </label>

      {create.isError ? (
        <div className="space-y-2">
          <ErrorBox title="Not created" message={create.error.message} />
          {canMigrate ? (
            <div className="flex items-center gap-3 text-sm">
              <Button variant="primary" onClick={() => submit(true)} disabled={create.isPending}>
                Migrate it now
              </Button>
              <span className="text-zinc-600 dark:text-zinc-400">Creates Cellar's cell schema in that database, then saves the cell.</span>
            </div>
          ) : null}
        </div>
      ) : null}

      <div className="flex items-center gap-3">
        <Button type="submit" variant="primary" disabled={create.isPending}>
          {create.isPending ? 'Checking the database…' : 'Create cell'}
        </Button>
        <Link href="/" className="text-sm text-zinc-600 underline dark:text-zinc-400">
          Cancel
        </Link>
      </div>
    </form>
  );
}
