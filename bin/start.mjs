#!/usr/bin/env node
// `npm start`: runs the TypeScript start script through tsx (a runtime dependency), with
// `server-only` resolved as on the server (bin/server-only.mjs).
import { register } from 'tsx/esm/api';
import './server-only.mjs';

register();
await import('../server/start/main.ts');
