// Internal to localdb: one client connection.
import type { Socket } from 'node:net';
import type { Document } from 'bson';
import type { CommandContext } from '../commands/CommandContext.js';
import { dispatch } from '../commands/dispatch.js';
import { CommandError, ErrorCode } from '../errors.js';
import { encodeOpMsgReply, encodeOpReply } from '../wire/encodeReply.js';
import {
  FramingError,
  MessageReader,
  type RawMessage,
} from '../wire/MessageReader.js';
import { OpCode } from '../wire/opcodes.js';
import {
  MalformedMessageError,
  parseOpMsg,
  parseOpQuery,
  type CommandRequest,
} from '../wire/parseRequest.js';

/** What a connection needs from the server. */
export type ConnectionContext = Omit<
  CommandContext,
  'db' | 'connectionId' | 'remote'
>;

/**
 * Reads messages from one socket and answers each in order. A framing error
 * (bad length, unknown opcode) closes only this connection; a malformed body
 * gets an error reply and the connection stays open.
 */
export class Connection {
  readonly id: number;
  readonly #socket: Socket;
  readonly #reader = new MessageReader();
  readonly #ctx: ConnectionContext;
  readonly #remote: string;
  /** Messages read but not yet answered: one connection's requests run one at a time, in order. */
  readonly #queue: RawMessage[] = [];
  #busy = false;

  constructor(id: number, socket: Socket, ctx: ConnectionContext) {
    this.id = id;
    this.#socket = socket;
    this.#ctx = ctx;
    this.#remote = `${socket.remoteAddress ?? '?'}:${String(socket.remotePort ?? 0)}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    // A reset or a client that vanishes mid-message: drop what was buffered, nothing else.
    socket.on('error', () => socket.destroy());
  }

  /** Closes the socket. */
  close(): void {
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    let messages: RawMessage[];
    try {
      messages = this.#reader.push(chunk);
    } catch (err) {
      this.#ctx.logger.warn(
        { connectionId: this.id, err: (err as Error).message },
        'localdb: closing connection on a framing error',
      );
      this.#socket.destroy();
      return;
    }
    this.#queue.push(...messages);
    void this.#drain();
  }

  /**
   * Answers queued messages in arrival order. A command that pauses (a long read) holds
   * this connection's later requests back, as MongoDB does, but not other connections'.
   */
  async #drain(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      for (;;) {
        const message = this.#queue.shift();
        if (message === undefined || this.#socket.destroyed) break;
        const pending = this.#handle(message);
        if (pending !== undefined) await pending;
      }
    } finally {
      this.#busy = false;
    }
  }

  #handle(message: RawMessage): Promise<void> | undefined {
    let request: CommandRequest;
    try {
      if (message.opCode === OpCode.OP_MSG) request = parseOpMsg(message.body);
      else if (message.opCode === OpCode.OP_QUERY)
        request = parseOpQuery(message.body);
      else throw new FramingError(`unsupported opcode ${message.opCode}`);
    } catch (err) {
      if (err instanceof MalformedMessageError) {
        const reply = {
          ok: 0,
          ...new CommandError(
            ErrorCode.InvalidBSON,
            err.message,
          ).toReplyFields(),
        };
        this.#send(
          message.opCode === OpCode.OP_QUERY
            ? encodeOpReply(message.requestId, reply)
            : encodeOpMsgReply(message.requestId, reply),
        );
        return undefined;
      }
      this.#ctx.logger.warn(
        { connectionId: this.id, err: (err as Error).message },
        'localdb: closing connection on an unsupported message',
      );
      this.#socket.destroy();
      return undefined;
    }
    const db = request.legacyDb ?? request.command['$db'];
    let reply: Document | Promise<Document>;
    if (typeof db !== 'string' || db === '') {
      reply = {
        ok: 0,
        ...new CommandError(
          ErrorCode.InvalidNamespace,
          "command is missing the '$db' field",
        ).toReplyFields(),
      };
    } else {
      reply = dispatch(request.command, {
        ...this.#ctx,
        db,
        connectionId: this.id,
        remote: this.#remote,
      });
    }
    if (reply instanceof Promise)
      return reply.then((r) => this.#reply(message, request, r));
    this.#reply(message, request, reply);
    return undefined;
  }

  #reply(message: RawMessage, request: CommandRequest, reply: Document): void {
    if (request.moreToCome) return;
    try {
      this.#send(
        request.opCode === OpCode.OP_QUERY
          ? encodeOpReply(message.requestId, reply)
          : encodeOpMsgReply(message.requestId, reply),
      );
    } catch (err) {
      // The reply itself could not be encoded (e.g. over 16 MiB): answer with an error instead.
      const fallback = {
        ok: 0,
        ...new CommandError(
          ErrorCode.InternalError,
          `reply could not be encoded: ${(err as Error).message}`,
        ).toReplyFields(),
      };
      this.#send(encodeOpMsgReply(message.requestId, fallback));
    }
  }

  #send(bytes: Buffer): void {
    if (!this.#socket.destroyed) this.#socket.write(bytes);
  }
}
