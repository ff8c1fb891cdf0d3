'use client';

const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

export function utcString(d: Date): string {
  return `${d.toISOString().replace('T', ' ').slice(0, 19)} UTC`;
}

export function relative(d: Date, now = new Date()): string {
  const s = Math.round((d.getTime() - now.getTime()) / 1000);
  const abs = Math.abs(s);
  if (abs < 60) return rtf.format(s, 'second');
  if (abs < 3600) return rtf.format(Math.round(s / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(s / 3600), 'hour');
  return rtf.format(Math.round(s / 86400), 'day');
}

/** Relative time, with the absolute UTC time on hover. */
export function Time({ value }: { value: Date }) {
  return (
    <time dateTime={value.toISOString()} title={utcString(value)} suppressHydrationWarning>
      {relative(value)}
    </time>
  );
}

export function ClockTime({ value }: { value: Date }) {
  return (
    <time dateTime={value.toISOString()} title={utcString(value)} suppressHydrationWarning>
      {value.toISOString().slice(11, 19)} UTC
    </time>
  );
}
