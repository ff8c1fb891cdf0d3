/**
 * The age buckets of pending build requests (browser-safe), each from its edge on. A
 * healthy conductor places a boot within a minute; the stuck threshold's default (older
 * than ten minutes) is an edge, so at the default every boot from "10–60 min" on is stuck
 * (but one exactly ten minutes old) and none before it.
 */
export const AGE_BUCKETS = [
  { key: 'under-1m', label: 'under 1 min', fromS: 0 },
  { key: '1m-10m', label: '1–10 min', fromS: 60 },
  { key: '10m-1h', label: '10–60 min', fromS: 600 },
  { key: '1h-1d', label: '1–24 h', fromS: 3600 },
  { key: 'over-1d', label: 'over 1 day', fromS: 86_400 },
] as const;

export type AgeBucketKey = (typeof AGE_BUCKETS)[number]['key'];

/** The bucket of an age in seconds (a negative age, a clock ahead, is the youngest). */
export function ageBucketOf(ageS: number): AgeBucketKey {
  let key: AgeBucketKey = AGE_BUCKETS[0].key;
  for (const b of AGE_BUCKETS) if (ageS >= b.fromS) key = b.key;
  return key;
}
