/**
 * `npm run bench -- <name>`: Cellar's benchmarks on real PostgreSQL. Never part of `npm test`.
 * Each benchmark prints its figures with their targets and PASS/MISS; the exit status is 1
 * when a target is missed.
 */
export {};

const BENCHES: Record<string, () => Promise<{ run(args: string[]): Promise<boolean> }>> = {
  discover: () => import('./discover'),
};

const [name, ...args] = process.argv.slice(2);
const load = name ? BENCHES[name] : undefined;
if (!load) {
  console.error(`usage: npm run bench -- <${Object.keys(BENCHES).join(' | ')}>`);
  process.exit(2);
}
const passed = await (await load()).run(args);
process.exit(passed ? 0 : 1);
