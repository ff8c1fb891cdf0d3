/**
 * The audit log from the command line:
 *   cellar audit [--since ISO] [--actor A] [--action A] [--outcome done|refused|failed|started] [--limit N] [--json]
 * Newest first. A bad option is one plain line and exit 1.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { type AuditRow, listAudit } from '../auth/audit';
import { AUDIT_OUTCOMES, AUDIT_PAGE_SIZES } from '../auth/inputs';
import { ExitCode } from './exit';
import { withDeps } from './session';
import { prettyTable } from './table';

const options = z.object({
  since: z
    .string()
    .trim()
    .refine(
      (s) => /^\d{4}-\d{2}-\d{2}([T ][\d:.]+)?(Z|[+-]\d{2}:?\d{2})?$/.test(s) && !Number.isNaN(Date.parse(s)),
      '--since must be an ISO 8601 date or time, e.g. 2026-11-21 or 2026-11-21T09:00:00Z',
    )
    .transform((s) => new Date(/[Zz]|[+-]\d{2}:?\d{2}$/.test(s) || !s.includes('T') ? s : `${s}Z`))
    .optional(),
  actor: z.string().trim().max(255).optional(),
  action: z.string().trim().max(255).optional(),
  outcome: z.enum(AUDIT_OUTCOMES, { message: `--outcome is one of ${AUDIT_OUTCOMES.join(', ')}` }).optional(),
  limit: z
    .string()
    .regex(/^\d+$/, `--limit is one of ${AUDIT_PAGE_SIZES.join(', ')}`)
    .transform(Number)
    .refine((n) => (AUDIT_PAGE_SIZES as readonly number[]).includes(n), `--limit is one of ${AUDIT_PAGE_SIZES.join(', ')}`)
    .optional(),
});

const outcomeText = (r: AuditRow) => (r.outcome === 'done' ? 'done' : `${r.outcome}: ${r.reason ?? ''}`.trim());

export function registerAuditCommands(program: Command) {
  program
    .command('audit')
    .description('Show the audit log (every write and refused write, console and CLI), newest first.')
    .option('--since <time>', 'only entries at or after this time (ISO 8601, UTC unless a zone is given)')
    .option('--actor <name>', 'only this actor (prefix)')
    .option('--action <action>', 'only this action (prefix, e.g. cells. or delete_cell)')
    .option('--outcome <outcome>', AUDIT_OUTCOMES.join(', '))
    .option('--limit <n>', `how many entries (${AUDIT_PAGE_SIZES.join(', ')})`, '50')
    .option('--json', 'print the entries as JSON')
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const parsed = options.safeParse(o);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) console.error(issue.message);
        throw new ExitCode(1);
      }
      const { since, actor, action, outcome, limit } = parsed.data;
      const page = await withDeps((deps) => listAudit(deps, { since, actor, action, outcome, limit: limit ?? 50 }), { quiet: Boolean(o.json) });
      if (o.json) {
        console.log(JSON.stringify(page.rows, null, 2));
        return;
      }
      if (page.rows.length === 0) {
        console.log('No audit entries match.');
        return;
      }
      console.log(
        prettyTable(
          ['Time (UTC)', 'Actor', 'Role', 'Via', 'Action', 'Target', 'Outcome', 'Request'],
          page.rows.map((r) => [
            r.at.toISOString().replace('T', ' ').slice(0, 19),
            `${r.actor} (${r.actorKind})`,
            r.role,
            r.source,
            r.action,
            r.target,
            outcomeText(r),
            r.requestId,
          ]),
        ),
      );
      if (page.nextBefore) console.log(`More entries are older; narrow with --since or raise --limit.`);
    });
}
