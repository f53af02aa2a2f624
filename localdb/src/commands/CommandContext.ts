// Internal to localdb: what a command handler receives.
import type { Document } from 'bson';
import type { CursorManager } from '../cursors/CursorManager.js';
import type { LocalDbLogger } from '../LocalDbLogger.js';
import type { Store } from '../storage/Store.js';

/** Per-request state handed to each command handler. */
export interface CommandContext {
  /** The command's database (`$db`). */
  db: string;
  store: Store;
  cursors: CursorManager;
  logger: LocalDbLogger;
  /** The connection's id, reported by hello. */
  connectionId: number;
  /** Client address, for whatsmyuri. */
  remote: string;
}

/**
 * A command handler: returns the reply without `ok` (added by the dispatcher) or throws
 * CommandError. Writes answer synchronously (a write runs whole, then its journal record
 * is written, before anything else runs); long reads answer with a promise and pause now
 * and then so other connections are served meanwhile.
 */
export type CommandHandler = (
  command: Document,
  ctx: CommandContext,
) => Document | Promise<Document>;
