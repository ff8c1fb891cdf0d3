import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './db/cell/schema.ts',
  out: './db/cell/migrations',
});
