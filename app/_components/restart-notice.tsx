/** After a change nova's services only see after a SIGHUP or restart, say so where it was made. */
export function RestartNotice({ notice }: { notice: string | null | undefined }) {
  if (!notice) return null;
  return (
    <p role="note" className="rounded border border-sky-300 bg-sky-50 p-3 text-sm text-sky-900 dark:border-sky-800 dark:bg-sky-950 dark:text-sky-100">
      <span className="font-medium">Restart needed:</span> {notice}
    </p>
  );
}
