import { sql } from 'drizzle-orm';
import { timestamp } from 'drizzle-orm/pg-core';

/** nova stores naive UTC DATETIMEs; in PostgreSQL that is `timestamp without time zone` holding UTC. */
export const utcNow = sql`(now() at time zone 'utc')`;

export const createdAt = () => timestamp('created_at', { mode: 'date' }).default(utcNow);
export const updatedAt = () => timestamp('updated_at', { mode: 'date' });
export const ts = (name: string) => timestamp(name, { mode: 'date' });

/** Parse a naive-UTC timestamp string as raw SQL returns it (db/utc-date.ts, browser-safe). */
export { utcDate } from './utc-date';
