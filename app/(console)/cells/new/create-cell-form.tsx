'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { CheckboxField, TextField } from '../../../_components/fields';
import { RestartNotice } from '../../../_components/restart-notice';
import { Button, ErrorBox } from '../../../_components/ui';
import { useTRPC } from '../../../_trpc/client';
import { CELL_NAME_MAX, cellLabel } from '@/server/cells/contract';

interface Values {
  name: string;
  transportUrl: string;
  databaseConnection: string;
  disabled: boolean;
}

/**
 * The field errors of an input refusal: the router's zod message lists each field as
 * "transportUrl: the transport URL is required; …". A domain refusal (the database does not
 * answer) is not a field's: it stays in the box under the form.
 */
function fieldErrors(error: { message: string; data?: { code?: string; refusal?: unknown } | null } | null): Partial<Record<keyof Values, string>> {
  if (error?.data?.code !== 'BAD_REQUEST' || error.data.refusal) return {};
  const out: Partial<Record<keyof Values, string>> = {};
  for (const part of error.message.split('; ')) {
    const m = /^(name|transportUrl|databaseConnection): (.+)$/.exec(part);
    if (m) out[m[1] as keyof Values] = m[2]!;
  }
  return out;
}

const URL_FIELD = 'w-full font-mono';

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
  const errors = fieldErrors(create.error);

  if (create.isSuccess) {
    const r = create.data;
    const label = cellLabel(r.cell);
    return (
      <section aria-label="Cell created" className="space-y-3">
        <p role="status" className="text-sm">
          Cell <strong>{label}</strong> created{r.migrated ? ' (its database schema was created first)' : ''}
          {r.cell.disabled ? ', disabled' : ''}. Its uuid is <span className="font-mono">{r.cell.uuid}</span>.
        </p>
        {r.warnings.map((w) => (
          <p
            key={w}
            className="rounded border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
          >
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
      <TextField
        label="Name"
        hint="Optional, and not unique: cells are known by their uuid."
        error={errors.name}
        value={values.name}
        maxLength={CELL_NAME_MAX}
        onChange={(e) => set('name', e.target.value)}
        controlClassName={URL_FIELD}
      />
      <TextField
        label="Transport URL"
        hint="The cell's message queue, e.g. rabbit://nova:password@rabbit.example.net:5672/nova_cell3."
        error={errors.transportUrl}
        required
        autoComplete="off"
        spellCheck={false}
        value={values.transportUrl}
        onChange={(e) => set('transportUrl', e.target.value)}
        controlClassName={URL_FIELD}
      />
      <TextField
        label="Database URL"
        hint={
          <>
            PostgreSQL, e.g. postgresql://nova:password@db.example.net:5432/nova_cell3, or a template such as{' '}
            <code>{'{scheme}://{username}:{password}@{hostname}:{port}/nova_cell3'}</code> expanded from CELLAR_DATABASE_URL.
          </>
        }
        error={errors.databaseConnection}
        required
        autoComplete="off"
        spellCheck={false}
        value={values.databaseConnection}
        onChange={(e) => set('databaseConnection', e.target.value)}
        controlClassName={URL_FIELD}
      />
      <CheckboxField
        label="Create it disabled"
        description="The schedulers will not place instances in it. A disabled cell may be saved even when its database does not answer or is not migrated yet."
        checked={values.disabled}
        onChange={(e) => set('disabled', e.target.checked)}
      />

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
