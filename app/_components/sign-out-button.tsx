/**
 * Sign-out as a plain form POST: it works before the page is interactive, and the server
 * deletes the session row before sending the browser to the sign-in page.
 */
export function SignOutButton() {
  return (
    <form method="post" action="/sign-out">
      <button type="submit" className="rounded border border-zinc-300 px-2 py-1 text-xs hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800">
        Sign out
      </button>
    </form>
  );
}
