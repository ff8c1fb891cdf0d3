/**
 * The auth area for pages (browser-safe): roles and principals, every procedure's input
 * (inputs.ts), and what users, tokens and the audit log answer.
 */
import { z } from 'zod';
import { cellUuidSchema } from '../cells/cell-ref';
import { rowIdSchema } from '../row-id';

export { forbiddenMessage, type Principal, type Resolution, ROLES, type Role, roleAtLeast, roleSchema, SIGN_IN_FIRST } from './roles';

export const revealUrlsInput = z.object({ uuid: cellUuidSchema });

export const revokeTokenInput = z.object({ id: rowIdSchema('a token id', 'integer') });

export type { AuditOutcome, AuditPage, AuditRow } from './audit';
export {
  AUDIT_OUTCOMES,
  AUDIT_PAGE_SIZES,
  AUDIT_SORT_DIRS,
  AUDIT_SORT_KEYS,
  type AuditListInput,
  auditListInput,
  createTokenInput,
  MAX_TOKEN_DAYS,
  passwordSchema,
  tokenNameSchema,
  usernameSchema,
} from './inputs';
export type { TokenRow } from './tokens';
export type { UserRow } from './users';
