/**
 * Console users from the command line (the first operator of a new installation is made
 * here):
 *   cellar user add NAME --role R [--password-stdin] [--json]
 *   cellar user list [--json]
 *   cellar user set-role NAME R
 *   cellar user remove NAME
 *   cellar user reset-password NAME [--password-stdin] [--json]
 * Without --password-stdin a password is generated and printed once. Exit codes: 0 done;
 * 1 bad input or no such user; 2 the name is taken; 3 the last operator would go.
 */
import type { Command } from 'commander';
import { addUser, generatePassword, listUsers, removeUser, resetPassword, setUserRole } from '../auth/users';
import { refuse } from '../errors';
import { withDeps } from './session';
import { prettyTable } from './table';

/** The password piped in: everything on stdin but the final line break. */
async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) throw refuse.invalid('--password-stdin reads the password from a pipe: printf %s "$PASSWORD" | cellar user …', 1);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (!password) throw refuse.invalid('No password on stdin.', 1);
  return password;
}

function printPassword(username: string, password: string) {
  console.log(`Password for ${username} (shown once; store it now): ${password}`);
}

export function registerUserCommands(program: Command) {
  const user = program.command('user').description('Console users and their roles (viewer < support < operator)');

  user
    .command('add <name>')
    .description('Add a console user with a role; the password comes from stdin or is generated and printed once.')
    .requiredOption('--role <role>', 'viewer, support or operator')
    .option('--password-stdin', 'read the password from standard input')
    .option('--json', 'print the result as JSON')
    .action(async (name: string, o: { role: string; passwordStdin?: boolean; json?: boolean }) => {
      const password = o.passwordStdin ? await readPasswordFromStdin() : generatePassword();
      const created = await withDeps((deps) => addUser(deps, { username: name, role: o.role as never, password }), { quiet: Boolean(o.json) });
      const shown = o.passwordStdin ? null : password;
      if (o.json) {
        console.log(JSON.stringify({ ...created, generatedPassword: shown }, null, 2));
        return;
      }
      console.log(`Added user ${created.username} with the ${created.role} role.`);
      if (shown) printPassword(created.username, shown);
    });

  user
    .command('list')
    .description('List console users with their roles and last sign-in.')
    .option('--json', 'print the users as JSON')
    .action(async (o: { json?: boolean }) => {
      const users = await withDeps((deps) => listUsers(deps), { quiet: Boolean(o.json) });
      if (o.json) {
        console.log(JSON.stringify(users, null, 2));
        return;
      }
      if (users.length === 0) {
        console.log('No users yet. Add the first operator: cellar user add NAME --role operator');
        return;
      }
      console.log(
        prettyTable(
          ['Name', 'Role', 'Created', 'Last sign-in', 'Active sessions'],
          users.map((u) => [u.username, u.role, u.createdAt.toISOString(), u.lastSignInAt?.toISOString() ?? null, u.activeSessions]),
        ),
      );
    });

  user
    .command('set-role <name> <role>')
    .description("Change a user's role; it applies to their next request.")
    .action(async (name: string, role: string) => {
      const r = await withDeps((deps) => setUserRole(deps, { username: name, role: role as never }));
      console.log(r.previous === r.role ? `${r.username} already has the ${r.role} role.` : `${r.username}: ${r.previous} → ${r.role}.`);
    });

  user
    .command('remove <name>')
    .description('Remove a user; their sessions end at once.')
    .action(async (name: string) => {
      const r = await withDeps((deps) => removeUser(deps, { username: name }));
      console.log(`Removed user ${r.username} (${r.role}); their sessions have ended.`);
    });

  user
    .command('reset-password <name>')
    .description("Set a new password (from stdin, or generated and printed once) and end the user's sessions.")
    .option('--password-stdin', 'read the password from standard input')
    .option('--json', 'print the result as JSON')
    .action(async (name: string, o: { passwordStdin?: boolean; json?: boolean }) => {
      const password = o.passwordStdin ? await readPasswordFromStdin() : generatePassword();
      const r = await withDeps((deps) => resetPassword(deps, { username: name, password }), { quiet: Boolean(o.json) });
      const shown = o.passwordStdin ? null : password;
      if (o.json) {
        console.log(JSON.stringify({ ...r, generatedPassword: shown }, null, 2));
        return;
      }
      console.log(`New password set for ${r.username}; ${r.sessionsEnded} session${r.sessionsEnded === 1 ? '' : 's'} ended.`);
      if (shown) printPassword(r.username, shown);
    });
}
