import 'server-only';
/**
 * The CLI's share of the audit log: every run of a write verb, with the OS user as actor
 * (the CLI holds the database credentials, so it acts as an operator). Used by
 * server/cli/main.ts, which wraps every command in one place.
 */
import os from 'node:os';
import type { Command } from 'commander';
import type { Deps } from '../deps';
import { type AuditOutcome, beginAudit, finishAudit, recordAudit } from './audit';
import type { Principal } from './roles';

/**
 * Verbs that only read. Everything else is audited, so a new verb is recorded until it is
 * listed here: missing a write would be worse than recording a read.
 */
export const READ_ONLY_VERBS = new Set(['list_cells', 'list_hosts', 'status', 'verify_instance', 'user list', 'audit', 'help']);

export function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    // No passwd entry (some containers): the environment is the best there is.
    return process.env.USER ?? process.env.LOGNAME ?? `uid ${process.getuid?.() ?? 'unknown'}`;
  }
}

export const cliPrincipal = (): Principal => ({ kind: 'cli', name: osUser(), role: 'operator' });

/** The verb named by argv ("delete_cell", "db sync", "user add"), or null for help and unknown words. */
export function verbOf(program: Command, argv: string[]): string | null {
  if (argv.some((a) => a === '--help' || a === '-h')) return null;
  const words = argv.filter((a) => !a.startsWith('-'));
  const top = program.commands.find((c) => c.name() === words[0] || c.aliases().includes(words[0] ?? ''));
  if (!top) return null;
  if (top.commands.length === 0) return top.name();
  const sub = top.commands.find((c) => c.name() === words[1] || c.aliases().includes(words[1] ?? ''));
  return sub ? `${top.name()} ${sub.name()}` : null;
}

export const isWriteVerb = (verb: string | null): verb is string => verb !== null && !READ_ONLY_VERBS.has(verb);

export interface CliRun {
  verb: string;
  args: string[];
  options: Record<string, unknown>;
  code: number;
  outcome: AuditOutcome;
  reason: string | null;
}

function cliEntry(r: Pick<CliRun, 'verb' | 'args' | 'options'>) {
  const named = r.verb.startsWith('user ') && r.args[0] ? { username: r.args[0] } : {};
  return {
    source: 'cli' as const,
    principal: cliPrincipal(),
    action: r.verb,
    input: { ...r.options, ...(r.args.length ? { args: r.args } : {}), ...named },
    requestId: null,
  };
}

const reasonOf = (r: CliRun) => r.reason ?? (r.code === 0 ? null : `exit ${r.code}`);

/** A run recorded whole, when it ended before its action began (commander refused the arguments). */
export async function recordCliRun(deps: Pick<Deps, 'api'>, r: CliRun): Promise<void> {
  await recordAudit(deps, { ...cliEntry(r), outcome: r.outcome === 'started' ? 'failed' : r.outcome, reason: reasonOf(r), exitCode: r.code });
}

/** The 'started' row of a write verb, written before it runs. */
export function beginCliRun(deps: Pick<Deps, 'api'>, r: Pick<CliRun, 'verb' | 'args' | 'options'>): Promise<number> {
  return beginAudit(deps, cliEntry(r));
}

export async function finishCliRun(deps: Pick<Deps, 'api'>, id: number, r: CliRun): Promise<void> {
  await finishAudit(deps, id, { outcome: r.outcome === 'started' ? 'failed' : r.outcome, reason: reasonOf(r), exitCode: r.code });
}
