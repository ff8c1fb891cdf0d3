/**
 * Reading nova's naive-UTC timestamps, browser-safe (no driver, no drizzle): pure code the
 * pages may reach through a contract (service state, the checks' composition).
 */

/** Parse a naive-UTC timestamp string as raw SQL returns it ('2026-11-21 19:00:00.123'). */
export function utcDate(value: string | Date | null | undefined): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  const iso = value.includes('T') ? value : value.replace(' ', 'T');
  return new Date(/[zZ]|[+-]\d\d(:?\d\d)?$/.test(iso) ? iso : `${iso}Z`);
}
