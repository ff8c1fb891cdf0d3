/**
 * Where the hostile e2e project's server (serve-hostile.ts) and its specs meet: the port
 * of the third console, its data directory, and the fuzz seed every worker shares.
 * No imports beyond node's: playwright.config.ts loads this.
 */
import crypto from 'node:crypto';
import path from 'node:path';

/** The third console: the embedded default (the demo and its users), its own data directory. */
export const HOSTILE_E2E_PORT = Number(process.env.CELLAR_HOSTILE_E2E_PORT ?? 3102);
export const HOSTILE_E2E_BASE_URL = `http://127.0.0.1:${HOSTILE_E2E_PORT}`;
export const HOSTILE_E2E_DATA_DIR = path.resolve('.test-data', 'e2e-hostile');
/** Everything the server printed, for a failure's post-mortem. */
export const HOSTILE_E2E_START_LOG = path.resolve('test-results', 'hostile-e2e-start.log');

/**
 * The fuzz seed: CELLAR_FUZZ_SEED replays a run; otherwise a fresh one, chosen once in the
 * runner and inherited by its workers (a worker restarted after a failure keeps it).
 */
process.env.CELLAR_FUZZ_SEED ||= String(crypto.randomInt(1, 2 ** 31 - 1));
const given = process.env.CELLAR_FUZZ_SEED.trim();
/** A whole number as given; any other text hashed to one, so every seed replays. */
export const FUZZ_SEED = /^\d{1,15}$/.test(given) ? Number(given) : crypto.createHash('sha256').update(given).digest().readUInt32BE(0) & 0x7fffffff;
