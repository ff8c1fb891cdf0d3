import pino from 'pino';

const g = globalThis as typeof globalThis & { __cellarLog?: pino.Logger };

/** One structured logger (JSON lines on stderr); stacks go here, never to users. */
export const log: pino.Logger = (g.__cellarLog ??= pino({
  name: 'cellar',
  level: process.env.CELLAR_LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
  redact: { paths: ['*.password', '*.databaseConnection', '*.transportUrl', '*.url'], censor: '****' },
}, pino.destination(2)));
