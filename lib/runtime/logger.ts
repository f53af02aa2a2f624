/**
 * Structured JSON-line logging (pino), one logger per service, child loggers per request.
 * A line written while a request is served carries its `requestId` even when
 * the writer had no request logger at hand (./requestScope.ts).
 */
import { pino, type Logger, type DestinationStream } from 'pino';
import { currentRequestId } from './requestScope.js';

export type { Logger };

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** The service name written on every line, e.g. `gateway` or `subgraph-mobility`. */
  service: string;
  /** @default 'info' */
  level?: string;
  /** Where lines go; stdout when omitted. Tests pass a memory stream. */
  destination?: DestinationStream;
}

/** Creates the service's root logger; lines are JSON with `time`, `level`, `service`, `msg`. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: (line, _level, logger) => {
        const requestId = currentRequestId();
        // Request loggers (child({ requestId })) and lines naming their
        // request already say it; JSON lines must not carry a key twice.
        if (
          requestId === undefined ||
          'requestId' in line ||
          'requestId' in logger.bindings()
        )
          return {};
        return { requestId };
      },
    },
    options.destination ?? pino.destination(1),
  );
}

/** A logger that writes nothing, for tests. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
