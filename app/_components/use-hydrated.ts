'use client';

import { useSyncExternalStore } from 'react';

const noop = () => () => {};

/** False in the server render and until hydration: a button that acts should wait for it, or an early click is lost. */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noop,
    () => true,
    () => false,
  );
}
