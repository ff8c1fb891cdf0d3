#!/usr/bin/env node
// `npm start`: runs the TypeScript start script through tsx (a runtime dependency).
import { register } from 'tsx/esm/api';

register();
await import('../server/start/main.ts');
