/** The orders the host mappings list sorts in on the server; a plain module so the browser bundle can use it. */
export const HOST_SORT_KEYS = ['host', 'cell', 'created_at'] as const;
export type HostSortKey = (typeof HOST_SORT_KEYS)[number];
export const HOST_SORT_DIRS = ['asc', 'desc'] as const;

/** Each order in words, for a refused marker. */
export const HOST_SORT_WORDS: Record<HostSortKey, { name: string; asc: string; desc: string }> = {
  host: { name: 'host', asc: 'A to Z', desc: 'Z to A' },
  cell: { name: 'cell', asc: 'A to Z', desc: 'Z to A' },
  created_at: { name: 'mapped since', asc: 'oldest first', desc: 'newest first' },
};
