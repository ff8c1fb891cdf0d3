import { sql } from 'drizzle-orm';
import { timestamp } from 'drizzle-orm/pg-core';

/** nova stores naive UTC DATETIMEs; in PostgreSQL that is `timestamp without time zone` holding UTC. */
export const utcNow = sql`(now() at time zone 'utc')`;

export const createdAt = () => timestamp('created_at', { mode: 'date' }).default(utcNow);
export const updatedAt = () => timestamp('updated_at', { mode: 'date' });
export const ts = (name: string) => timestamp(name, { mode: 'date' });

/** Parse a naive-UTC timestamp string as raw SQL returns it ('2026-11-21 19:00:00.123'). */
export function utcDate(value: string | Date | null | undefined): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  const iso = value.includes('T') ? value : value.replace(' ', 'T');
  return new Date(/[zZ]|[+-]\d\d(:?\d\d)?$/.test(iso) ? iso : `${iso}Z`);
}
