/**
 * `npm run bench -- <name> [<name> …]`: Cellar's benchmarks on real PostgreSQL (the server
 * in CELLAR_BENCH_DATABASE_URL or CELLAR_TEST_DATABASE_URL, else an embedded cluster).
 * Never part of `npm test`. Each prints its figures against a baseline measured in the
 * same run, with targets and PASS/MISS; the exit status is 1 when a target is missed.
 */
export {};

/** Each benchmark resolves to true when its targets were met. */
const BENCHES: Record<string, () => Promise<boolean>> = {
  discover: async () => (await import('./discover')).run(),
  list: async () => {
    await (await import('./list')).runListBench();
    return process.exitCode !== 1;
  },
  partition: async () => (await import('./partition')).run(),
  repair: async () => (await import('./repair')).run(),
  cells75: async () => (await import('./cells75')).run(),
  archive: async () => (await import('./archive')).run(),
  map: async () => {
    await (await import('./map')).runMapBench();
    return process.exitCode !== 1;
  },
};

const names = process.argv.slice(2);
const unknown = names.filter((n) => !(n in BENCHES));
if (names.length === 0 || unknown.length > 0) {
  console.error(`usage: npm run bench -- <${Object.keys(BENCHES).join(' | ')}> [more names]`);
  process.exit(2);
}
let allPassed = true;
for (const name of names) {
  console.log(`\n=== bench: ${name}`);
  allPassed = (await BENCHES[name]!()) && allPassed;
}
process.exit(allPassed ? 0 : 1);
