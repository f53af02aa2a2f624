// Internal to localdb: the TCP listener and its connections.
import { createServer, type Server, type Socket } from 'node:net';
import { CursorManager } from '../cursors/CursorManager.js';
import type { LocalDbLogger } from '../LocalDbLogger.js';
import type { Store } from '../storage/Store.js';
import { Connection } from './Connection.js';

/** Listens for clients and tracks their connections so stop() can close them all. */
export class LocalDbServer {
  readonly #server: Server;
  readonly #connections = new Set<Connection>();
  readonly #cursors = new CursorManager();
  readonly #store: Store;
  readonly #logger: LocalDbLogger;
  #nextConnectionId = 1;

  constructor(store: Store, logger: LocalDbLogger) {
    this.#store = store;
    this.#logger = logger;
    this.#server = createServer((socket) => this.#accept(socket));
  }

  /** Starts listening; resolves with the bound port. */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        const address = this.#server.address();
        resolve(
          typeof address === 'object' && address !== null ? address.port : port,
        );
      });
    });
  }

  /** Stops accepting, closes every client socket and all cursors. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) =>
      this.#server.close(() => resolve()),
    );
    for (const connection of this.#connections) connection.close();
    this.#connections.clear();
    this.#cursors.close();
    await closed;
  }

  #accept(socket: Socket): void {
    const connection = new Connection(this.#nextConnectionId++, socket, {
      store: this.#store,
      cursors: this.#cursors,
      logger: this.#logger,
    });
    this.#connections.add(connection);
    socket.on('close', () => this.#connections.delete(connection));
  }
}
