import os from 'node:os';
import path from 'node:path';
import { logToFile } from '../log';
import { run } from './main';

// The CLI's log is a file, not the terminal: an unexpected error is answered with one
// plain line naming it, and the statement, parameters and stack stay in the file.
const root = process.env.CELLAR_ROOT ?? process.cwd();
const candidates = [
  process.env.CELLAR_LOG_FILE,
  path.join(root, '.data', 'logs', 'cli.log'),
  path.join(os.tmpdir(), `cellar-cli-${process.getuid?.() ?? 'user'}.log`),
];
for (const file of candidates) if (file && logToFile(file)) break;

run(process.argv.slice(2)).then((code) => process.exit(code));
