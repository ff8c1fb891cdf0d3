'use client';

import { createContext, type ReactNode, useContext } from 'react';
import { type Principal, type Role, roleAtLeast } from '@/server/auth/contract';

const MeContext = createContext<Principal | null>(null);

/** Set once by the console layout from the server's own check of the request. */
export function MeProvider({ me, children }: { me: Principal; children: ReactNode }) {
  return <MeContext.Provider value={me}>{children}</MeContext.Provider>;
}

/** Who is signed in (user or token, name and role), or null outside the console. */
export function useMe(): Principal | null {
  return useContext(MeContext);
}

/** Whether the signed-in principal has at least this role. */
export function useHasRole(role: Role): boolean {
  const me = useMe();
  return me !== null && roleAtLeast(me.role, role);
}

/**
 * Renders its children only for a principal with at least `role`; the fallback (nothing by
 * default) otherwise. It only hides: the server refuses regardless.
 */
export function RequireRole({ role, children, fallback = null }: { role: Role; children: ReactNode; fallback?: ReactNode }) {
  return useHasRole(role) ? children : fallback;
}
