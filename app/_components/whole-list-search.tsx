'use client';
/**
 * The search box of a list that comes whole (cells, users, tokens), filtered in the
 * browser: each key and the free text are kept in the URL (`<prefix><key>`, `<prefix>q`),
 * so a search is a link; a value a key does not take is said and changes nothing.
 */
import { parseAsString, useQueryStates } from 'nuqs';
import { useMemo } from 'react';
import { filterWholeList, type WholeListKey, wholeListRefusal } from './key-value-query';
import { KeyValueSearch } from './key-value-search';

export function useWholeListSearch<T>(keys: readonly WholeListKey<T>[], freeTexts: (row: T) => readonly (string | null | undefined)[], prefix = '') {
  const names = keys.map((k) => k.key).join(',');
  // The parsers are made once per set of keys: nuqs keeps its state by them.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `names` stands for `keys` (a new array on every render).
  const parsers = useMemo(() => Object.fromEntries([...keys.map((k) => k.key), 'q'].map((k) => [k, parseAsString])), [names]);
  const urlKeys = useMemo(() => Object.fromEntries(Object.keys(parsers).map((k) => [k, `${prefix}${k}`])), [parsers, prefix]);
  const [state, setState] = useQueryStates(parsers, { urlKeys });
  const fields = Object.fromEntries(keys.map((k) => [k.key, state[k.key] ?? null]));
  const free = state.q ?? null;
  return {
    fields,
    free,
    active: Boolean(free) || Object.values(fields).some(Boolean),
    filter: (rows: readonly T[]) => filterWholeList(rows, { fields, free }, keys, freeTexts),
    clear: () => void setState(Object.fromEntries(Object.keys(parsers).map((k) => [k, null]))),
    apply: (q: { fields: Record<string, string>; free: string }): string | undefined => {
      const refused = wholeListRefusal(q.fields, keys);
      if (refused) return refused;
      void setState({ ...Object.fromEntries(keys.map((k) => [k.key, q.fields[k.key] ?? null])), q: q.free || null });
    },
  };
}

export function WholeListSearch<T>({
  label,
  keys,
  freeHelp,
  search,
}: {
  label: string;
  keys: readonly WholeListKey<T>[];
  freeHelp: string;
  search: ReturnType<typeof useWholeListSearch<T>>;
}) {
  return (
    <KeyValueSearch
      label={label}
      keys={keys.map((k) => ({ key: k.key, help: k.values ? `${k.help}: ${k.values.join(', ')}` : k.help }))}
      fields={search.fields}
      free={search.free}
      freeHelp={freeHelp}
      onSearch={search.apply}
    />
  );
}
