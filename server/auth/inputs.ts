/**
 * The auth area's inputs, validated at the boundary: user names and passwords, tokens,
 * the audit list. Browser-safe; the auth contract re-exports them, and the domain
 * functions (users.ts, tokens.ts, audit.ts) validate with them too.
 */
import { z } from 'zod';
import { MARKER_MAX } from '../keyset';
import { rowIdSchema } from '../row-id';
import { roleSchema } from './roles';

export const usernameSchema = z
  .string()
  .trim()
  .min(2, 'a user name is at least 2 characters')
  .max(64, 'a user name is at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a user name is letters, digits, dots, dashes and underscores, starting with a letter or digit')
  .transform((s) => s.toLowerCase());

export const passwordSchema = z.string().min(10, 'a password is at least 10 characters').max(128, 'a password is at most 128 characters');

export const MAX_TOKEN_DAYS = 366;

export const tokenNameSchema = z
  .string()
  .trim()
  .min(1, 'a token name is required')
  .max(64, 'a token name is at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9 _.:-]*$/, 'a token name is letters, digits, spaces, dots, colons, dashes and underscores');

export const createTokenInput = z.object({
  name: tokenNameSchema,
  role: roleSchema,
  expiresInDays: z
    .number()
    .int('the expiry is a whole number of days')
    .min(1, 'a token lives at least 1 day')
    .max(MAX_TOKEN_DAYS, `a token lives at most ${MAX_TOKEN_DAYS} days`),
});

/**
 * What became of an audited call. 'started' is written before a write runs and replaced by
 * its outcome; one left as 'started' is a write whose process stopped before it finished.
 */
export const AUDIT_OUTCOMES = ['done', 'refused', 'failed', 'started'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export const AUDIT_PAGE_SIZES = [25, 50, 100, 200] as const;

/** The audit log sorts by time on the server (then by id, so the order is total). */
export const AUDIT_SORT_KEYS = ['at'] as const;
export const AUDIT_SORT_DIRS = ['desc', 'asc'] as const;

export const auditListInput = z.object({
  actor: z.string().trim().max(255).nullish(),
  action: z.string().trim().max(255).nullish(),
  outcome: z.enum(AUDIT_OUTCOMES, { message: `outcome is one of ${AUDIT_OUTCOMES.join(', ')}` }).nullish(),
  since: z.coerce
    .date({ message: 'since must be a date and time (ISO 8601)' })
    .refine((d) => d.getUTCFullYear() >= 1 && d.getUTCFullYear() <= 9999, 'since must be a date between the years 1 and 9999')
    .nullish(),
  sort: z.enum(AUDIT_SORT_KEYS, { message: `sort is one of ${AUDIT_SORT_KEYS.join(', ')}` }).default('at'),
  dir: z.enum(AUDIT_SORT_DIRS, { message: 'dir is asc or desc' }).default('desc'),
  /** Keyset marker made by the list under the same order: the page after that row (or, with `back`, the page before it). */
  marker: z.string().max(MARKER_MAX).nullish(),
  back: z.boolean().default(false),
  /** Only rows with a smaller id than this (scripts that walk the log newest first with `nextBefore`). */
  before: rowIdSchema('before', 'bigint').nullish(),
  limit: z
    .number()
    .int()
    .refine((n) => (AUDIT_PAGE_SIZES as readonly number[]).includes(n), `page size is one of ${AUDIT_PAGE_SIZES.join(', ')}`)
    .default(50),
});
export type AuditListInput = z.input<typeof auditListInput>;
