import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './db/api/schema.ts',
  out: './db/api/migrations',
  schemaFilter: ['public', 'cellar'],
});
