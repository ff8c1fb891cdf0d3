/**
 * A row id as an input: a whole number within its column's range, so an id PostgreSQL
 * cannot hold is refused at the boundary with a plain message instead of failing in the
 * database. Browser-safe.
 */
import { z } from 'zod';

/** PostgreSQL's integer (serial) and the part of bigint (bigserial) a JavaScript number holds exactly. */
export const COLUMN_MAX = { integer: 2_147_483_647, bigint: Number.MAX_SAFE_INTEGER } as const;

export function rowIdSchema(what: string, column: keyof typeof COLUMN_MAX) {
  return z
    .number({ message: `${what} is a number` })
    .int(`${what} is a whole number`)
    .min(1, `${what} is a positive number`)
    .max(COLUMN_MAX[column], `${what} is at most ${COLUMN_MAX[column]}`);
}
