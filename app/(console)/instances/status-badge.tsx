/** nova's API status as a badge: the same colours wherever an instance is listed. */
const STATUS_TONE: Record<string, string> = {
  ACTIVE: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100',
  BUILD: 'bg-sky-100 text-sky-900 dark:bg-sky-900 dark:text-sky-100',
  ERROR: 'bg-red-100 text-red-900 dark:bg-red-900 dark:text-red-100',
  SOFT_DELETED: 'bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100',
  UNKNOWN: 'bg-amber-200 text-amber-950 dark:bg-amber-800 dark:text-amber-50',
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`rounded px-1.5 py-0.5 font-mono text-xs ${STATUS_TONE[status] ?? 'bg-zinc-200 text-zinc-800 dark:bg-zinc-700 dark:text-zinc-100'}`}>
      {status}
    </span>
  );
}
