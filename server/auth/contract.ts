/**
 * The auth area for pages (browser-safe): roles and principals, the inputs of the
 * procedures that need nothing of the server, and what users, tokens and the audit log
 * answer. (The user and token inputs compose usernameSchema, passwordSchema and
 * createTokenInput, and the audit list takes auditListInput: those still live beside their
 * domain functions, in users.ts, tokens.ts and audit.ts.)
 */
import { z } from 'zod';
import { cellUuidSchema } from '../cells/cell-ref';

export { forbiddenMessage, type Principal, type Resolution, ROLES, type Role, roleAtLeast, roleSchema, SIGN_IN_FIRST } from './roles';

export const revealUrlsInput = z.object({ uuid: cellUuidSchema });

export const revokeTokenInput = z.object({ id: z.number().int().positive() });

export type { AuditListInput, AuditOutcome, AuditRow } from './audit';
export type { TokenRow } from './tokens';
export type { UserRow } from './users';
