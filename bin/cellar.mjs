#!/usr/bin/env node
// The `cellar` command: nova-manage cell_v2's verbs over Cellar's domain code (server code:
// `server-only` resolves as on the server, bin/server-only.mjs).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';
import './server-only.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.env.CELLAR_ROOT ??= root;
register({ tsconfig: path.join(root, 'tsconfig.json') });
await import('../server/cli/entry.ts');
