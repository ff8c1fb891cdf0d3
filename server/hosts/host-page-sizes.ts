/** Page sizes the host mappings page offers; a plain module so the browser bundle can use it. */
export const HOST_PAGE_SIZES = [25, 50, 100, 200] as const;
export const DEFAULT_HOST_PAGE_SIZE = 50;
