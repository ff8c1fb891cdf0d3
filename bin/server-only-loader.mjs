/**
 * A Node module resolve hook (registered by bin/server-only.mjs): `server-only` resolves as
 * it does under React's react-server condition, to the package's empty module.
 *
 * Every module that opens a database starts with `import 'server-only'`, so a client
 * component that reaches one fails the Next build. Outside Next (the CLI, the start script,
 * the benchmarks, the job runner, Playwright's helpers) that code runs in plain Node, where
 * the package's default export throws; this hook makes those processes the server they are.
 * Only `server-only` is touched: React and every other package resolve as before.
 */
export async function resolve(specifier, context, nextResolve) {
  if (specifier !== 'server-only') return nextResolve(specifier, context);
  return nextResolve(specifier, { ...context, conditions: [...context.conditions, 'react-server'] });
}
