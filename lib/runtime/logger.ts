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
        const requestId = currentRequestId();
        // Request loggers (child({ requestId })) and lines naming their
        // request already say it; JSON lines must not carry a key twice.
        if (
          requestId === undefined ||
          'requestId' in line ||
          'requestId' in logger.bindings()
        )
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
        : pino.destination(1)),
  );
}

/** A logger that writes nothing, for tests. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
