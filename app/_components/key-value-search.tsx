'use client';
/**
 * The search box of every list (`/` focuses it: app/_components/shortcuts.tsx looks for
 * `data-list-search`). Typing `cell:cell1 host:cmp-1 "free text"` and Enter sets the same
 * URL state the list's fields set; the box shows that state back, so fields and box never
 * disagree. An unknown key or an open quote is said under the box and changes nothing.
 */
import { useEffect, useId, useState } from 'react';
import { formatKeyValueQuery, type KeyValueQuery, parseKeyValueQuery } from './key-value-query';

export interface SearchKey {
  /** What the user types before the colon. */
  key: string;
  /** In the help under the box. */
  help: string;
}

export function KeyValueSearch({
  label,
  keys,
  fields,
  free,
  freeHelp,
  onSearch,
}: {
  /** What is searched, e.g. "Search instances". */
  label: string;
  keys: readonly SearchKey[];
  /** The list's current state, by key. */
  fields: Record<string, string | null | undefined>;
  /** The current free text (null when the list takes none). */
  free?: string | null;
  /** What free text searches, or absent when the list takes none. */
  freeHelp?: string;
  /**
   * Apply a parsed search: each key set or cleared (absent from `fields`: cleared). A value
   * the list cannot take (a cell no mapping names) is refused by returning what is wrong,
   * a string: it is said under the box and nothing changes. Anything else returned is
   * ignored.
   */
  onSearch: (q: KeyValueQuery) => unknown;
}) {
  const id = useId();
  const names = keys.map((k) => k.key);
  const current = formatKeyValueQuery(fields, free, names);
  const [text, setText] = useState(current);
  const [error, setError] = useState<string | null>(null);
  // The URL changed (a field, a link, back): show it.
  useEffect(() => {
    setText(current);
    setError(null);
  }, [current]);
  const example = keys
    .slice(0, 2)
    .map((k) => `${k.key}:…`)
    .join(' ');
  return (
    <form
      role="search"
      aria-label={label}
      className="mb-3"
      onSubmit={(e) => {
        e.preventDefault();
        const parsed = parseKeyValueQuery(text, names);
        if (!parsed.ok) {
          setError(parsed.error);
          return;
        }
        if (parsed.free && freeHelp === undefined) {
          setError(`This list has no free-text search: use ${names.map((k) => `${k}:`).join(', ')}.`);
          return;
        }
        const refused = onSearch({ fields: parsed.fields, free: parsed.free });
        setError(typeof refused === 'string' && refused ? refused : null);
      }}
    >
      <label htmlFor={id} className="mb-1 block text-sm font-medium">
        {label}
      </label>
      <div className="flex flex-wrap gap-2">
        <input
          id={id}
          data-list-search=""
          type="search"
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder={`${example}${freeHelp ? ' and free text' : ''} — press / to focus`}
          aria-describedby={`${id}-help${error ? ` ${id}-error` : ''}`}
          aria-invalid={error ? true : undefined}
          className="min-w-0 flex-1 rounded border border-zinc-300 bg-white px-2 py-1.5 font-mono text-sm dark:border-zinc-700 dark:bg-zinc-900"
        />
        <button type="submit" className="rounded border border-sky-700 bg-sky-700 px-3 py-1.5 text-sm text-white hover:bg-sky-800">
          Search
        </button>
      </div>
      <p id={`${id}-help`} className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">
        {keys.map((k, i) => (
          <span key={k.key}>
            {i > 0 ? ' · ' : ''}
            <code>{k.key}:</code> {k.help}
          </span>
        ))}
        {freeHelp ? <span> · free text: {freeHelp}</span> : null}. Quote values with spaces: <code>key:"two words"</code>.
      </p>
      {error ? (
        <p id={`${id}-error`} role="alert" className="mt-1 text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      ) : null}
    </form>
  );
}
