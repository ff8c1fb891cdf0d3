import { z } from 'zod';
import { operatorProcedure, router, viewerProcedure } from '../trpc';
import { listAudit } from './audit';
import { auditListInput, createTokenInput, passwordSchema, revealUrlsInput, revokeTokenInput, roleSchema, usernameSchema } from './contract';
import { revealCellUrls } from './reveal-urls';
import { createToken, listTokens, revokeToken } from './tokens';
import { addUser, generatePassword, listUsers, removeUser, resetPassword, setUserRole } from './users';

export const authRouter = router({
  /** Who is asking: for the signed-in-as line and for hiding what the role may not do. */
  me: viewerProcedure.query(({ ctx }) => ctx.principal),

  users: router({
    list: operatorProcedure.query(({ ctx }) => listUsers(ctx.deps())),
    /** Without a password one is generated and returned here, once. */
    add: operatorProcedure
      .input(z.object({ username: usernameSchema, role: roleSchema, password: passwordSchema.optional() }))
      .mutation(async ({ ctx, input }) => {
        const password = input.password ?? generatePassword();
        const user = await addUser(ctx.deps(), { ...input, password });
        return { ...user, generatedPassword: input.password ? null : password };
      }),
    setRole: operatorProcedure.input(z.object({ username: usernameSchema, role: roleSchema })).mutation(({ ctx, input }) => setUserRole(ctx.deps(), input)),
    remove: operatorProcedure.input(z.object({ username: usernameSchema })).mutation(({ ctx, input }) => removeUser(ctx.deps(), input)),
    resetPassword: operatorProcedure.input(z.object({ username: usernameSchema, password: passwordSchema.optional() })).mutation(async ({ ctx, input }) => {
      const password = input.password ?? generatePassword();
      const r = await resetPassword(ctx.deps(), { username: input.username, password });
      return { ...r, generatedPassword: input.password ? null : password };
    }),
  }),

  tokens: router({
    list: operatorProcedure.query(({ ctx }) => listTokens(ctx.deps())),
    /** The secret is in this answer and nowhere else, ever. */
    create: operatorProcedure.input(createTokenInput).mutation(({ ctx, input }) => createToken(ctx.deps(), input, ctx.principal.name)),
    revoke: operatorProcedure.input(revokeTokenInput).mutation(({ ctx, input }) => revokeToken(ctx.deps(), input, ctx.principal.name)),
  }),

  audit: router({
    list: viewerProcedure.input(auditListInput).query(({ ctx, input }) => listAudit(ctx.deps(), input)),
  }),

  /** A cell's stored URLs with their passwords: operators only, and audited (a mutation). */
  revealUrls: operatorProcedure.input(revealUrlsInput).mutation(({ ctx, input }) => revealCellUrls(ctx.deps(), input.uuid)),
});
