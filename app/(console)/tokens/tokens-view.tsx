'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { CopyButton } from '../../_components/copy-button';
import { DataTable } from '../../_components/data-table';
import { containsText, type WholeListKey } from '../../_components/key-value-query';
import { useWholeListSearch, WholeListSearch } from '../../_components/whole-list-search';
import { RequireRole } from '../../_components/require-role';
import { Time } from '../../_components/time';
import { SelectField, TextField } from '../../_components/fields';
import { QueryState } from '../../_components/query-state';
import { Button, EmptyBox, ErrorBox, PageHeader } from '../../_components/ui';
import { useTRPC } from '../../_trpc/client';
import { ROLES, type Role, type TokenRow } from '@/server/auth/contract';

const TOKEN_STATES = ['active', 'expired', 'revoked'] as const satisfies readonly TokenRow['state'][];

/** The tokens list's search: by role, by state, by who made it. */
const TOKEN_SEARCH_KEYS: WholeListKey<TokenRow>[] = [
  { key: 'role', help: 'the role', values: ROLES, matches: (t, v) => t.role === v.toLowerCase() },
  { key: 'state', help: 'the state', values: TOKEN_STATES, matches: (t, v) => t.state === v.toLowerCase() },
  { key: 'by', help: 'made by a user whose name contains it', matches: (t, v) => containsText(t.createdBy, v) },
];
const tokenSearchTexts = (t: TokenRow) => [t.name];
const EXPIRY_DAYS = [1, 7, 30, 90, 365] as const;

export function TokensView() {
  return (
    <div>
      <PageHeader
        title="Tokens"
        description={
          <>
            For scripts and test suites: send <code className="font-mono">Authorization: Bearer &lt;token&gt;</code>. A token has a role and an expiry; only its
            hash is stored.
          </>
        }
      />
      <RequireRole role="operator" fallback={<EmptyBox>Only operators manage tokens.</EmptyBox>}>
        <ManageTokens />
      </RequireRole>
    </div>
  );
}

const STATE_STYLE: Record<TokenRow['state'], string> = {
  active: 'text-emerald-700 dark:text-emerald-400',
  expired: 'text-amber-700 dark:text-amber-400',
  revoked: 'text-zinc-500',
};

function ManageTokens() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const search = useWholeListSearch(TOKEN_SEARCH_KEYS, tokenSearchTexts);
  const q = useQuery(trpc.auth.tokens.list.queryOptions());
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.auth.tokens.list.queryKey() });
  const [secret, setSecret] = useState<{ name: string; value: string } | null>(null);
  const [revoking, setRevoking] = useState<TokenRow | null>(null);
  const create = useMutation(
    trpc.auth.tokens.create.mutationOptions({
      onSuccess: (r) => {
        setSecret({ name: r.token.name, value: r.secret });
        void refresh();
      },
    }),
  );
  const revoke = useMutation(
    trpc.auth.tokens.revoke.mutationOptions({
      onSuccess: () => {
        setRevoking(null);
        void refresh();
      },
    }),
  );

  return (
    <>
      {secret ? (
        <div
          role="status"
          aria-label="New token"
          className="mb-4 rounded border border-emerald-300 bg-emerald-50 p-3 text-sm dark:border-emerald-800 dark:bg-emerald-950"
        >
          <p>
            The token <strong>{secret.name}</strong>: copy it now, it is shown only once.
          </p>
          <p className="mt-1 break-all font-mono">
            <span data-testid="token-secret">{secret.value}</span>
            <CopyButton value={secret.value} label={`Copy the token ${secret.name}`} />
          </p>
          <Button className="mt-2" onClick={() => setSecret(null)}>
            Done
          </Button>
        </div>
      ) : null}

      <form
        aria-label="Create a token"
        className="mb-6 flex flex-wrap items-end gap-3 rounded border border-zinc-200 bg-white p-3 dark:border-zinc-800 dark:bg-zinc-900"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          create.mutate(
            { name: String(f.get('name') ?? ''), role: String(f.get('role')) as Role, expiresInDays: Number(f.get('days')) },
            { onSuccess: () => (e.target as HTMLFormElement).reset() },
          );
        }}
      >
        <TextField label="Name" name="name" required maxLength={64} />
        <SelectField label="Role" name="role" defaultValue="viewer" options={ROLES} />
        <SelectField
          label="Expires after"
          name="days"
          defaultValue="30"
          options={EXPIRY_DAYS.map((d) => ({ value: d, label: `${d} day${d === 1 ? '' : 's'}` }))}
        />
        <Button type="submit" variant="primary" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create token'}
        </Button>
        {create.error ? <ErrorBox title="Could not create the token" message={create.error.message} /> : null}
      </form>

      <QueryState query={q} what="tokens" isEmpty={(d) => d.length === 0} empty="No tokens yet. Create one above for a script or a test suite.">
        {(d) => (
          <>
            <WholeListSearch label="Search tokens" keys={TOKEN_SEARCH_KEYS} freeHelp="token name contains" search={search} />
            {/* Only what the list holds is exported: a token's secret is never in it (shown once above, stored as its hash). */}
            <DataTable
              label="Tokens"
              rows={search.filter(d)}
              empty="No token matches this search."
              rowKey={(t) => String(t.id)}
              columns={[
                { id: 'name', header: 'Name', value: (t) => t.name, sort: 'client', rowHeader: true, always: true },
                { id: 'role', header: 'Role', value: (t) => t.role, sort: 'client' },
                {
                  id: 'state',
                  header: 'State',
                  value: (t) => (t.revokedBy ? `${t.state} by ${t.revokedBy}` : t.state),
                  cell: (t) => (
                    <span className={STATE_STYLE[t.state]}>
                      {t.state}
                      {t.revokedBy ? <span className="text-xs"> by {t.revokedBy}</span> : null}
                    </span>
                  ),
                  sort: 'client',
                },
                { id: 'created_by', header: 'Created by', value: (t) => t.createdBy, sort: 'client' },
                { id: 'created', header: 'Created', value: (t) => t.createdAt, cell: (t) => <Time value={t.createdAt} />, sort: 'client', firstDir: 'desc' },
                { id: 'expires', header: 'Expires', value: (t) => t.expiresAt, cell: (t) => <Time value={t.expiresAt} />, sort: 'client', firstDir: 'desc' },
                {
                  id: 'last_used',
                  header: 'Last used',
                  value: (t) => t.lastUsedAt,
                  cell: (t) => (t.lastUsedAt ? <Time value={t.lastUsedAt} /> : <span className="text-zinc-500">never</span>),
                  sort: 'client',
                  firstDir: 'desc',
                },
                {
                  id: 'actions',
                  header: 'Actions',
                  value: () => null,
                  noExport: true,
                  always: true,
                  cell: (t) =>
                    t.state === 'revoked' ? null : (
                      <Button variant="danger" aria-label={`Revoke ${t.name}`} onClick={() => setRevoking(t)}>
                        Revoke
                      </Button>
                    ),
                },
              ]}
            />
          </>
        )}
      </QueryState>

      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke ${revoking?.name}?`}
        confirmLabel="Revoke token"
        busy={revoke.isPending}
        error={revoke.error?.message ?? null}
        onCancel={() => {
          setRevoking(null);
          revoke.reset();
        }}
        onConfirm={() => revoking && revoke.mutate({ id: revoking.id })}
      >
        <p>Requests with this token are refused from now on. This cannot be undone: create a new token instead.</p>
      </ConfirmDialog>
    </>
  );
}
