/** The logger localdb writes to; pino's `info/warn/error(obj, msg)` signature. */
export interface LocalDbLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** A logger that drops everything, for tests. */
export const silentLogger: LocalDbLogger = {
  info() {},
  warn() {},
  error() {},
};
