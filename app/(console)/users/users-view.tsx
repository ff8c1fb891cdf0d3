'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { CopyButton } from '../../_components/copy-button';
import { DataTable } from '../../_components/data-table';
import { containsText, type WholeListKey } from '../../_components/key-value-query';
import { useWholeListSearch, WholeListSearch } from '../../_components/whole-list-search';
import { RequireRole, useMe } from '../../_components/require-role';
import { Time } from '../../_components/time';
import { CONTROL, SelectField, TextField } from '../../_components/fields';
import { QueryState } from '../../_components/query-state';
import { Button, EmptyBox, ErrorBox, PageHeader } from '../../_components/ui';
import { useTRPC } from '../../_trpc/client';
import { ROLES, type Role, type UserRow } from '@/server/auth/contract';

/** The users list's search: by role, by name. */
const USER_SEARCH_KEYS: WholeListKey<UserRow>[] = [
  { key: 'role', help: 'the role', values: ROLES, matches: (u, v) => u.role === v.toLowerCase() },
  { key: 'name', help: 'user names containing it', matches: (u, v) => containsText(u.username, v) },
];
const userSearchTexts = (u: UserRow) => [u.username];

export function UsersView() {
  return (
    <div>
      <PageHeader title="Users" description="Who may sign in to the console, and with which role: viewer < support < operator." />
      <RequireRole role="operator" fallback={<EmptyBox>Only operators manage users. Ask one if your role should change.</EmptyBox>}>
        <ManageUsers />
      </RequireRole>
    </div>
  );
}

/** A password shown once, after it was generated. */
function OncePassword({ who, password, onDone }: { who: string; password: string; onDone: () => void }) {
  return (
    <div
      role="status"
      aria-label="New password"
      className="mb-4 rounded border border-emerald-300 bg-emerald-50 p-3 text-sm dark:border-emerald-800 dark:bg-emerald-950"
    >
      <p>
        Password for <strong>{who}</strong>, shown once: hand it over now.
      </p>
      <p className="mt-1 font-mono">
        <span data-testid="generated-password">{password}</span>
        <CopyButton value={password} label={`Copy the password of ${who}`} />
      </p>
      <Button className="mt-2" onClick={onDone}>
        Done
      </Button>
    </div>
  );
}

function ManageUsers() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const me = useMe();
  const search = useWholeListSearch(USER_SEARCH_KEYS, userSearchTexts);
  const q = useQuery(trpc.auth.users.list.queryOptions());
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.auth.users.list.queryKey() });
  const [shown, setShown] = useState<{ who: string; password: string } | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const [resetting, setResetting] = useState<string | null>(null);

  const add = useMutation(
    trpc.auth.users.add.mutationOptions({
      onSuccess: (r) => {
        if (r.generatedPassword) setShown({ who: r.username, password: r.generatedPassword });
        void refresh();
      },
    }),
  );
  const setRole = useMutation(trpc.auth.users.setRole.mutationOptions({ onSettled: () => void refresh() }));
  const remove = useMutation(
    trpc.auth.users.remove.mutationOptions({
      onSuccess: () => {
        setRemoving(null);
        void refresh();
      },
    }),
  );
  const reset = useMutation(
    trpc.auth.users.resetPassword.mutationOptions({
      onSuccess: (r) => {
        setResetting(null);
        if (r.generatedPassword) setShown({ who: r.username, password: r.generatedPassword });
        void refresh();
      },
    }),
  );

  return (
    <>
      {shown ? <OncePassword who={shown.who} password={shown.password} onDone={() => setShown(null)} /> : null}

      <form
        aria-label="Add a user"
        className="mb-6 flex flex-wrap items-end gap-3 rounded border border-zinc-200 bg-white p-3 dark:border-zinc-800 dark:bg-zinc-900"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          const password = String(f.get('password') ?? '');
          add.mutate(
            { username: String(f.get('username') ?? ''), role: String(f.get('role')) as Role, password: password || undefined },
            { onSuccess: () => (e.target as HTMLFormElement).reset() },
          );
        }}
      >
        <TextField label="User name" name="username" required />
        <SelectField label="Role" name="role" defaultValue="viewer" options={ROLES} />
        <TextField
          label={
            <>
              First password <span className="text-zinc-500">(empty: generate one)</span>
            </>
          }
          name="password"
          type="password"
          autoComplete="new-password"
        />
        <Button type="submit" variant="primary" disabled={add.isPending}>
          {add.isPending ? 'Adding…' : 'Add user'}
        </Button>
        {add.error ? <ErrorBox title="Could not add the user" message={add.error.message} /> : null}
      </form>

      {setRole.error ? <ErrorBox title="Could not change the role" message={setRole.error.message} /> : null}

      <QueryState
        query={q}
        what="users"
        isEmpty={(d) => d.length === 0}
        empty="No users yet. Add the first one above, or on the server with cellar user add NAME --role operator."
      >
        {(d) => (
          <>
            <WholeListSearch label="Search users" keys={USER_SEARCH_KEYS} freeHelp="user name contains" search={search} />
            <DataTable
              label="Users"
              rows={search.filter(d)}
              empty="No user matches this search."
              rowKey={(u) => u.username}
              columns={[
                {
                  id: 'name',
                  header: 'Name',
                  value: (u) => u.username,
                  cell: (u) => (
                    <>
                      {u.username}
                      {me?.kind === 'user' && me.name === u.username ? <span className="ml-2 text-xs font-normal text-zinc-500">(you)</span> : null}
                    </>
                  ),
                  sort: 'client',
                  rowHeader: true,
                  always: true,
                },
                {
                  id: 'role',
                  header: 'Role',
                  value: (u) => u.role,
                  sort: 'client',
                  cell: (u) => (
                    <select
                      aria-label={`Role of ${u.username}`}
                      value={u.role}
                      disabled={setRole.isPending}
                      onChange={(e) => setRole.mutate({ username: u.username, role: e.target.value as Role })}
                      className={CONTROL}
                    >
                      {ROLES.map((r) => (
                        <option key={r}>{r}</option>
                      ))}
                    </select>
                  ),
                },
                { id: 'created', header: 'Created', value: (u) => u.createdAt, cell: (u) => <Time value={u.createdAt} />, sort: 'client', firstDir: 'desc' },
                {
                  id: 'last_sign_in',
                  header: 'Last sign-in',
                  value: (u) => u.lastSignInAt,
                  cell: (u) => (u.lastSignInAt ? <Time value={u.lastSignInAt} /> : <span className="text-zinc-500">never</span>),
                  sort: 'client',
                  firstDir: 'desc',
                },
                {
                  id: 'sessions',
                  header: 'Active sessions',
                  value: (u) => u.activeSessions,
                  sort: 'client',
                  firstDir: 'desc',
                  className: 'text-right tabular-nums',
                },
                {
                  id: 'actions',
                  header: 'Actions',
                  value: () => null,
                  noExport: true,
                  always: true,
                  className: 'whitespace-nowrap',
                  cell: (u) => (
                    <>
                      <Button aria-label={`Reset password of ${u.username}`} onClick={() => setResetting(u.username)}>
                        Reset password
                      </Button>{' '}
                      <Button variant="danger" aria-label={`Remove ${u.username}`} onClick={() => setRemoving(u.username)}>
                        Remove
                      </Button>
                    </>
                  ),
                },
              ]}
            />
          </>
        )}
      </QueryState>

      <ConfirmDialog
        open={removing !== null}
        title={`Remove ${removing}?`}
        confirmLabel="Remove user"
        busy={remove.isPending}
        error={remove.error?.message ?? null}
        onCancel={() => {
          setRemoving(null);
          remove.reset();
        }}
        onConfirm={() => removing && remove.mutate({ username: removing })}
      >
        <p>{removing} can no longer sign in, and their open sessions end now. This cannot be undone; add them again to restore access.</p>
      </ConfirmDialog>

      <ConfirmDialog
        open={resetting !== null}
        title={`Reset the password of ${resetting}?`}
        confirmLabel="Reset password"
        busy={reset.isPending}
        error={reset.error?.message ?? null}
        onCancel={() => {
          setResetting(null);
          reset.reset();
        }}
        onConfirm={() => resetting && reset.mutate({ username: resetting })}
      >
        <p>A new password is generated and shown once. The old one stops working and {resetting}'s open sessions end now.</p>
      </ConfirmDialog>
    </>
  );
}
