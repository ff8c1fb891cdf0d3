/**
 * `cellar`: nova-manage cell_v2's verbs, options, messages and exit codes over the same
 * domain functions as the console. A refusal exits with nova's code and its message; an
 * unexpected error exits 1 with one plain line (nova prints a traceback and exits 255).
 * Each area registers its own commands (server/cli/<area>.ts).
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '@/db/config';
import { isCellarError } from '../errors';
import { registerBootCommands } from './boot';
import { registerCellsCommands } from './cells';
import { registerChecksCommands } from './checks';
import { registerDbCommands } from './db';
import { ExitCode } from './exit';
import { registerHostsCommands } from './hosts';
import { registerInstancesCommands } from './instances';

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
  registerDbCommands(program);
  return program;
}

export async function run(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof ExitCode) return e.code;
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 1;
    if (e instanceof ConfigError) {
      console.error(`cellar: configuration error: ${e.message}`);
      return 2;
    }
    if (isCellarError(e)) {
      console.error(e.message);
      return e.exitCode;
    }
    console.error(`An error has occurred: ${(e as Error).message ?? String(e)}`);
    return 1;
  }
}
