import { defineConfig } from 'drizzle-kit';

// The api database's nova-compatible tables: created only where Cellar makes the database.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/api/nova-tables.ts',
  out: './db/api/migrations',
});
