/**
 * Structured JSON-line logging (pino), one logger per service, child loggers per request.
 * A line written while a request is served carries its `requestId` even when
 * the writer had no request logger at hand (./requestScope.ts).
 */
import { pino, type Logger, type DestinationStream } from 'pino';
import { PinoPretty } from 'pino-pretty';
import { trace } from '@opentelemetry/api';
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
  /**
   * `json` lines, `pretty` (pino-pretty: colour, local time, one event per
   * line) or `auto`: pretty when lines go to stdout and stdout is a
   * terminal, JSON otherwise (files, pipes, log collectors).
   * @default 'auto'
   */
  format?: 'auto' | 'json' | 'pretty';
}

function prettyOnStdout(format: LoggerOptions['format']): boolean {
  if (format === 'pretty') return true;
  if (format === 'json') return false;
  return process.stdout.isTTY;
}

/**
 * Creates the service's root logger; lines are JSON with `time`, `level`,
 * `service`, `msg` (or pretty-printed on a terminal, see `format`).
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: (line, _level, logger) => {
        // The trace of the span being served (tracing on), so log lines and
        // spans join up in the operator's tools.
        const span = trace.getActiveSpan()?.spanContext();
        const traced =
          span && !('traceId' in line)
            ? { traceId: span.traceId, spanId: span.spanId }
            : {};
        // Request loggers (child({ requestId })) and lines naming their
        // request already say it; JSON lines must not carry a key twice.
        // Cheapest test first: most lines (one per request) name theirs,
        // and bindings() parses the logger's bindings on every call.
        if ('requestId' in line) return traced;
        const requestId = currentRequestId();
        if (requestId === undefined || 'requestId' in logger.bindings())
          return traced;
        return { ...traced, requestId };
      },
    },
    options.destination ??
      (prettyOnStdout(options.format)
        ? PinoPretty({
            sync: true,
            colorize: process.stdout.isTTY,
            translateTime: 'SYS:HH:MM:ss.l',
            ignore: 'pid,hostname,service',
            singleLine: true,
            messageFormat: '{service} {msg}',
          })
        : // Asynchronous: a line is handed to the kernel at once when no
          // write is in flight, else appended to the one that follows it,
          // so a busy service makes one write per batch of lines instead
          // of one synchronous write each (docs/performance.md). pino
          // flushes what is left synchronously when the process exits.
          pino.destination({ dest: 1, sync: false })),
  );
}

/** A logger that writes nothing, for tests. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
