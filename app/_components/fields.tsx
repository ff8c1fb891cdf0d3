/**
 * The console's form inputs: a text input, a select and a checkbox, each with its label
 * (the control's accessible name), an optional hint and an error tied to it by
 * aria-describedby. `inline` puts the label beside the control (toolbars), otherwise above.
 * No client state of their own, so server and client components both use them.
 */
import { type ComponentProps, type ReactNode, useId } from 'react';

export const CONTROL =
  'rounded border border-zinc-300 bg-white px-2 py-1 text-sm text-zinc-900 disabled:opacity-50 aria-[invalid=true]:border-red-600 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100';

interface FrameProps {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  inline?: boolean;
  /** Classes of the field (label, control, hint and error together). */
  className?: string;
  /** Classes added to the control itself (a width, font-mono). */
  controlClassName?: string;
}

function useFieldIds(given: string | undefined, hint: ReactNode, error: string | null | undefined) {
  const auto = useId();
  const id = given ?? auto;
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  return { id, hintId, errorId, describedBy: [hintId, errorId].filter(Boolean).join(' ') || undefined };
}

function Frame({
  id,
  hintId,
  errorId,
  label,
  hint,
  error,
  inline,
  className = '',
  children,
}: Omit<FrameProps, 'controlClassName'> & { id: string; hintId?: string; errorId?: string; children: ReactNode }) {
  return (
    <div className={`${inline ? 'flex flex-wrap items-center gap-x-2 gap-y-1' : 'flex flex-col gap-1'} text-sm ${className}`}>
      <label htmlFor={id} className="text-zinc-700 dark:text-zinc-300">
        {label}
      </label>
      {children}
      {hint ? (
        <p id={hintId} className="text-xs text-zinc-600 dark:text-zinc-400">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="text-xs font-medium text-red-700 dark:text-red-400">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** A text input (or search, password, datetime-local …) with its label. */
export function TextField({
  label,
  hint,
  error,
  inline,
  className,
  controlClassName = '',
  id: givenId,
  ...input
}: FrameProps & Omit<ComponentProps<'input'>, 'className'>) {
  const ids = useFieldIds(givenId, hint, error);
  return (
    <Frame {...ids} label={label} hint={hint} error={error} inline={inline} className={className}>
      <input
        type="text"
        {...input}
        id={ids.id}
        aria-describedby={ids.describedBy}
        aria-invalid={error ? true : undefined}
        className={`${CONTROL} ${controlClassName}`}
      />
    </Frame>
  );
}

export type SelectOption = string | number | { value: string | number; label: ReactNode };

/** A select with its label; options as values (shown as they are) or { value, label }, or as children. */
export function SelectField({
  label,
  hint,
  error,
  inline,
  className,
  controlClassName = '',
  id: givenId,
  options,
  children,
  ...select
}: FrameProps & Omit<ComponentProps<'select'>, 'className'> & { options?: readonly SelectOption[] }) {
  const ids = useFieldIds(givenId, hint, error);
  return (
    <Frame {...ids} label={label} hint={hint} error={error} inline={inline} className={className}>
      <select {...select} id={ids.id} aria-describedby={ids.describedBy} aria-invalid={error ? true : undefined} className={`${CONTROL} ${controlClassName}`}>
        {options?.map((o) =>
          typeof o === 'object' ? (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ) : (
            <option key={o} value={o}>
              {o}
            </option>
          ),
        )}
        {children}
      </select>
    </Frame>
  );
}

/** A checkbox with its label, and a line under it saying what it does. */
export function CheckboxField({
  label,
  description,
  className = '',
  ...input
}: { label: ReactNode; description?: ReactNode; className?: string } & Omit<ComponentProps<'input'>, 'className' | 'type'>) {
  return (
    <label className={`flex items-start gap-2 text-sm ${className}`}>
      <input type="checkbox" className="mt-1" {...input} />
      <span>
        {label}
        {description ? <span className="block text-xs text-zinc-600 dark:text-zinc-400">{description}</span> : null}
      </span>
    </label>
  );
}
