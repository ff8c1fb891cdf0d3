import pino from 'pino';

/** Where the process-wide log goes: stderr, or for a while (captureLog) a stream of a test's own. */
interface Sink {
  target: pino.DestinationStream;
}

const g = globalThis as typeof globalThis & { __cellarLog?: pino.Logger; __cellarLogSink?: Sink };

function defaultLevel(): pino.LevelWithSilent {
  return (process.env.CELLAR_LOG_LEVEL as pino.LevelWithSilent | undefined) ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info');
}

/** A logger with Cellar's settings (name, redaction of URL fields) writing JSON lines to `destination`. */
export function createLogger(destination: pino.DestinationStream, level: pino.LevelWithSilent = defaultLevel()): pino.Logger {
  return pino(
    {
      name: 'cellar',
      level,
      redact: { paths: ['*.password', '*.databaseConnection', '*.transportUrl', '*.url'], censor: '****' },
    },
    destination,
  );
}

g.__cellarLogSink ??= { target: pino.destination(2) };
const sink: Sink = g.__cellarLogSink;

/** Writes to whatever the sink holds now; flush() reaches it too (SonicBoom's, on stderr). */
const toSink = {
  write: (line: string) => sink.target.write(line),
  flush: (cb: (err?: Error) => void) => {
    const target = sink.target as pino.DestinationStream & { flush?: (cb: (err?: Error) => void) => void };
    if (typeof target.flush === 'function') target.flush(cb);
    else cb();
  },
};

/** One structured logger (JSON lines on stderr); stacks go here, never to users. */
g.__cellarLog ??= createLogger(toSink);
export const log: pino.Logger = g.__cellarLog;

/** Where the log goes when it is a file (the CLI's), for the plain line to name; null on stderr. */
export let logFile: string | null = null;

/**
 * Send the process-wide log to a file from now on (the CLI: its terminal answer is for
 * people, so the statement and stack of an unexpected error must not be printed there).
 * Falls back to stderr when the file cannot be opened.
 */
export function logToFile(file: string): boolean {
  try {
    sink.target = pino.destination({ dest: file, mkdir: true, sync: true });
    logFile = file;
    return true;
  } catch {
    return false;
  }
}

/**
 * For tests: send the process-wide log to `destination` instead of stderr, at `level`,
 * until the returned function is called (which puts stderr and the old level back).
 */
export function captureLog(destination: pino.DestinationStream, level: pino.LevelWithSilent = 'info'): () => void {
  const previous = { target: sink.target, level: log.level };
  sink.target = destination;
  log.level = level;
  return () => {
    sink.target = previous.target;
    log.level = previous.level;
  };
}
