/**
 * Registers bin/server-only-loader.mjs: after this, `import 'server-only'` is the no-op it is
 * on the server. Imported first by bin/cellar.mjs, bin/start.mjs and bin/test.mjs, and given to
 * node as `--import ./bin/server-only.mjs` where a TypeScript entry runs directly
 * (`npm run bench`, e2e/nova/serve-nova.ts, the test fixtures vitest spawns).
 */
import { register } from 'node:module';

register('./server-only-loader.mjs', import.meta.url);
