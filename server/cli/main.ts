/**
 * `cellar`: nova-manage cell_v2's verbs, options, messages and exit codes over the same
 * domain functions as the console. A refusal exits with nova's code and its message; an
 * unexpected error exits 1 with one plain line and a request id, `An unexpected error
 * occurred (request id 4f1c2a9e). The details are in Cellar's log.`, while the statement,
 * its parameters, the stack and the causes go to the log under that id (nova prints a
 * traceback and exits 255). Each area registers its own commands (server/cli/<area>.ts).
 * Every run of a write verb is recorded in the audit log here, in one place, with the OS
 * user as actor.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '@/db/config';
import { EmbeddedError } from '@/db/embedded';
import { NotConfiguredError } from '@/db/runtime';
import { DbUrlError } from '@/db/url';
import type { AuditOutcome } from '../auth/audit';
import { beginCliRun, finishCliRun, isWriteVerb, recordCliRun, verbOf } from '../auth/cli-audit';
import { isApiDatabaseDown, isCellarError } from '../errors';
import { guardInput } from '../input-guard';
import { reportUnexpected } from '../unexpected-error';
import { registerAuditCommands } from './audit';
import { registerBootCommands } from './boot';
import { registerCellsCommands } from './cells';
import { registerChecksCommands } from './checks';
import { registerDbCommands } from './db';
import { API_DOWN_EXIT, ExitCode, isSuccessExit } from './exit';
import { registerHostsCommands } from './hosts';
import { registerInstancesCommands } from './instances';
import { registerMapInstancesCommands } from './map-instances';
import { registerRepairCommands } from './repairs';
import { withDeps } from './session';
import { registerUserCommands } from './users';

export { ExitCode };

export function buildProgram(): Command {
  const program = new Command('cellar')
    .description('Cellar: nova-manage cell_v2 for a cells v2 control plane, over the same code as the console.')
    .exitOverride()
    .configureOutput({ outputError: (s, write) => write(s) });
  registerCellsCommands(program);
  registerHostsCommands(program);
  registerChecksCommands(program);
  registerBootCommands(program);
  registerInstancesCommands(program);
  registerMapInstancesCommands(program);
  registerDbCommands(program);
  registerUserCommands(program);
  registerAuditCommands(program);
  registerRepairCommands(program);
  return program;
}

interface Outcome {
  code: number;
  outcome: AuditOutcome;
  /** The refusal or error, when the command did not print its own. */
  reason: string | null;
}

/**
 * Cellar's own errors that are not refusals but whose messages are written for people
 * (the embedded server could not start, no api database, a URL Cellar cannot use):
 * shown as they are.
 */
function isPlainFailure(e: unknown): e is Error {
  return e instanceof EmbeddedError || e instanceof NotConfiguredError || e instanceof DbUrlError;
}

async function execute(program: Command, argv: string[], verb: string | null): Promise<Outcome> {
  try {
    await program.parseAsync(argv, { from: 'user' });
    return { code: 0, outcome: 'done', reason: null };
  } catch (e) {
    if (e instanceof ExitCode) return { code: e.code, outcome: isSuccessExit(verb, e.code) ? 'done' : 'refused', reason: null };
    if (e instanceof CommanderError) return { code: e.exitCode === 0 ? 0 : 1, outcome: e.exitCode === 0 ? 'done' : 'refused', reason: e.message };
    if (e instanceof ConfigError) {
      console.error(`cellar: configuration error: ${e.message}`);
      return { code: 2, outcome: 'failed', reason: e.message };
    }
    if (isCellarError(e)) {
      console.error(e.message);
      return { code: e.exitCode, outcome: 'refused', reason: e.message };
    }
    if (isPlainFailure(e)) {
      console.error(`An error has occurred: ${e.message}`);
      return { code: 1, outcome: 'failed', reason: e.message };
    }
    const { message } = reportUnexpected(e, { source: 'cli', action: verb, what: 'command failed' });
    console.error(message);
    return { code: 1, outcome: 'failed', reason: message };
  }
}

/** The last line a command wrote to stderr: the refusal it printed itself before its exit code. */
function watchStderr(): { last: () => string | null; stop: () => void } {
  let last: string | null = null;
  const note = (text: string) => {
    const line = text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .pop();
    if (line) last = line;
  };
  const error = console.error;
  const write = process.stderr.write;
  console.error = (...a: unknown[]) => {
    note(a.map(String).join(' '));
    error(...a);
  };
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    note(String(chunk));
    return (write as (...x: unknown[]) => boolean).call(process.stderr, chunk, ...rest);
  }) as typeof process.stderr.write;
  return {
    last: () => last,
    stop: () => {
      console.error = error;
      process.stderr.write = write;
    },
  };
}

/**
 * The one input guard (server/input-guard.ts) on a verb's arguments and options, as the
 * console puts every procedure's input through it: one plain line and exit 1.
 */
function guardArguments(action: Command): void {
  const refusal = guardInput({ arguments: [...action.args], ...action.opts() });
  if (!refusal) return;
  console.error(`cellar: ${refusal.message.replace(/^arguments\.(\d+)/, (_m, i: string) => `argument ${Number(i) + 1}`)}`);
  throw new ExitCode(1);
}

export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  const verb = verbOf(program, argv);
  if (!isWriteVerb(verb)) {
    program.hook('preAction', (_self, action) => guardArguments(action));
    return (await execute(program, argv, verb)).code;
  }

  // A write verb runs inside one database session that also records it; the command's
  // own withDeps calls join that session. Its audit row is written as 'started' before the
  // verb runs (no row, no run) and gets the outcome after.
  let captured: { args: string[]; options: Record<string, unknown> } = { args: [], options: {} };
  try {
    return await withDeps(
      async (deps) => {
        let auditId: number | null = null;
        let auditDown = false;
        program.hook('preAction', async (_self, action) => {
          captured = { args: [...action.args], options: { ...action.opts() } };
          guardArguments(action);
          try {
            auditId = await beginCliRun(deps, { verb, ...captured });
          } catch (e) {
            const { requestId } = reportUnexpected(e, { source: 'cli', action: verb, what: 'could not write the audit row' });
            console.error(`cellar: the audit log could not be written, so nothing was done (request id ${requestId}). The details are in Cellar's log.`);
            auditDown = true;
            throw new ExitCode(isApiDatabaseDown(e) ? (API_DOWN_EXIT[verb] ?? 1) : 1);
          }
        });
        const stderr = watchStderr();
        let result: Outcome;
        try {
          result = await execute(program, argv, verb);
        } finally {
          stderr.stop();
        }
        const reason = result.code === 0 ? null : (result.reason ?? stderr.last());
        const run = { verb, ...captured, code: result.code, outcome: result.outcome, reason };
        // The audit log just refused this run's row: nothing ran, and trying again would only say so twice.
        if (auditDown) return result.code;
        await (auditId === null ? recordCliRun(deps, run) : finishCliRun(deps, auditId, run)).catch((e: unknown) => {
          const { requestId } = reportUnexpected(e, { source: 'cli', action: verb, what: 'could not write the audit row' });
          console.error(`cellar: warning: could not record how this run ended in the audit log (request id ${requestId}). The details are in Cellar's log.`);
        });
        return result.code;
      },
      { quiet: argv.includes('--json') },
    );
  } catch (e) {
    // The session itself could not start (configuration, database): nothing ran.
    if (e instanceof ConfigError) {
      console.error(`cellar: configuration error: ${e.message}`);
      return 2;
    }
    const code = isApiDatabaseDown(e) ? (API_DOWN_EXIT[verb] ?? 1) : 1;
    if (isPlainFailure(e) || isCellarError(e)) {
      console.error(`An error has occurred: ${e.message}`);
      return code;
    }
    console.error(reportUnexpected(e, { source: 'cli', action: verb, what: 'the command session failed' }).message);
    return code;
  }
}
