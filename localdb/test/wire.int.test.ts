import { connect, type Socket } from 'node:net';
import { deserialize, serialize, type Document } from 'bson';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalDb } from '../src/index.js';
import { startTestDb } from './startTestDb.js';

const OP_MSG = 2013;

function opMsg(
  requestId: number,
  body: Document | Buffer,
  flags = 0,
  opCode = OP_MSG,
): Buffer {
  const doc = Buffer.isBuffer(body) ? body : Buffer.from(serialize(body));
  const header = Buffer.alloc(21);
  header.writeInt32LE(21 + doc.length, 0);
  header.writeInt32LE(requestId, 4);
  header.writeInt32LE(0, 8);
  header.writeInt32LE(opCode, 12);
  header.writeUInt32LE(flags, 16);
  header.writeUInt8(0, 20);
  return Buffer.concat([header, doc]);
}

/** A raw socket that collects OP_MSG replies and notices when the server closes it. */
class RawClient {
  readonly socket: Socket;
  readonly replies: Array<{ responseTo: number; doc: Document }> = [];
  readonly closed: Promise<void>;
  #buf = Buffer.alloc(0);

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      this.socket.on('close', () => resolve()),
    );
    this.socket.on('data', (chunk: Buffer) => {
      this.#buf = Buffer.concat([this.#buf, chunk]);
      while (
        this.#buf.length >= 4 &&
        this.#buf.length >= this.#buf.readInt32LE(0)
      ) {
        const len = this.#buf.readInt32LE(0);
        const msg = this.#buf.subarray(0, len);
        this.#buf = this.#buf.subarray(len);
        this.replies.push({
          responseTo: msg.readInt32LE(8),
          doc: deserialize(msg.subarray(21)),
        });
      }
    });
  }

  async ready(): Promise<void> {
    await new Promise<void>((resolve) =>
      this.socket.once('connect', () => resolve()),
    );
  }

  async reply(count: number): Promise<Document> {
    for (let i = 0; i < 200 && this.replies.length < count; i += 1) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const r = this.replies[count - 1];
    if (r === undefined) throw new Error(`no reply #${count}`);
    return r.doc;
  }
}

describe('localdb wire robustness', () => {
  let server: LocalDb;
  let client: MongoClient;

  beforeAll(async () => {
    server = await startTestDb();
    client = await MongoClient.connect(server.uri, {
      serverSelectionTimeoutMS: 5000,
    });
    await client
      .db('w')
      .collection('acked')
      .insertOne({ _id: 'before' } as never);
  });

  afterAll(async () => {
    await client.close();
    await server.stop();
  });

  async function stillServing(): Promise<void> {
    expect(await client.db('w').command({ ping: 1 })).toMatchObject({ ok: 1 });
    expect(await client.db('w').collection('acked').countDocuments()).toBe(1);
  }

  it('answers a well-formed raw OP_MSG', async () => {
    const raw = new RawClient(server.port);
    await raw.ready();
    raw.socket.write(opMsg(7, { ping: 1, $db: 'admin' }));
    expect(await raw.reply(1)).toEqual({ ok: 1 });
    expect(raw.replies[0]?.responseTo).toBe(7);
    raw.socket.destroy();
  });

  it("answers one connection's requests in order, even when the first is a long read that pauses", async () => {
    const coll = client.db('w').collection('ordered');
    await coll.insertMany(
      Array.from({ length: 20_000 }, (_, n) => ({ n, v: n % 7 })),
    );
    const raw = new RawClient(server.port);
    await raw.ready();
    // Pipelined on one socket, in separate packets: a long aggregation, a write, then a
    // read of that write.
    raw.socket.write(
      opMsg(1, {
        aggregate: 'ordered',
        pipeline: [
          { $match: { v: { $gte: 0 } } },
          { $group: { _id: '$v', n: { $sum: 1 } } },
        ],
        cursor: {},
        $db: 'w',
      }),
    );
    await new Promise((r) => setTimeout(r, 2));
    raw.socket.write(
      opMsg(2, { insert: 'ordered', documents: [{ n: -1 }], $db: 'w' }),
    );
    await new Promise((r) => setTimeout(r, 2));
    raw.socket.write(
      opMsg(3, { count: 'ordered', query: { n: -1 }, $db: 'w' }),
    );
    expect(await raw.reply(3)).toMatchObject({ n: 1, ok: 1 });
    expect(raw.replies.map((r) => r.responseTo)).toEqual([1, 2, 3]);
    expect(raw.replies[0]?.doc['cursor']['firstBatch']).toHaveLength(7);
    raw.socket.destroy();
  });

  it('closes a connection that sends garbage bytes', async () => {
    const raw = new RawClient(server.port);
    await raw.ready();
    raw.socket.write('GET / HTTP/1.1\r\nHost: localdb\r\n\r\n');
    await raw.closed;
    await stillServing();
  });

  it('closes a connection announcing a message over maxMessageSizeBytes', async () => {
    const raw = new RawClient(server.port);
    await raw.ready();
    const header = Buffer.alloc(16);
    header.writeInt32LE(49_000_000, 0);
    header.writeInt32LE(OP_MSG, 12);
    raw.socket.write(header);
    await raw.closed;
    await stillServing();
  });

  it('closes a connection using an unknown opcode', async () => {
    const raw = new RawClient(server.port);
    await raw.ready();
    raw.socket.write(opMsg(1, { ping: 1, $db: 'admin' }, 0, 4242));
    await raw.closed;
    await stillServing();
  });

  it('answers invalid BSON with an error and keeps the connection', async () => {
    const raw = new RawClient(server.port);
    await raw.ready();
    const bad = Buffer.from(serialize({ ping: 1, $db: 'admin' }));
    bad.writeUInt8(0x7f, 4); // an element type that does not exist
    raw.socket.write(opMsg(1, bad));
    expect(await raw.reply(1)).toMatchObject({ ok: 0, code: 22 });
    raw.socket.write(opMsg(2, { ping: 1, $db: 'admin' }));
    expect(await raw.reply(2)).toEqual({ ok: 1 });
    raw.socket.destroy();
    await stillServing();
  });

  it('answers an unknown command with CommandNotFound and a missing $db with an error', async () => {
    const raw = new RawClient(server.port);
    await raw.ready();
    raw.socket.write(opMsg(1, { shutdown: 1, $db: 'admin' }));
    expect(await raw.reply(1)).toMatchObject({
      ok: 0,
      code: 59,
      codeName: 'CommandNotFound',
    });
    raw.socket.write(opMsg(2, { ping: 1 }));
    expect(await raw.reply(2)).toMatchObject({ ok: 0 });
    raw.socket.destroy();
  });

  it('sends no reply to a moreToCome request', async () => {
    const raw = new RawClient(server.port);
    await raw.ready();
    raw.socket.write(opMsg(1, { endSessions: [], $db: 'admin' }, 2));
    raw.socket.write(opMsg(2, { ping: 1, $db: 'admin' }));
    await raw.reply(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(raw.replies.map((r) => r.responseTo)).toEqual([2]);
    raw.socket.destroy();
  });

  it('survives a client that disconnects in the middle of a message', async () => {
    const raw = new RawClient(server.port);
    await raw.ready();
    const whole = opMsg(1, {
      insert: 'acked',
      documents: [{ _id: 'half' }],
      $db: 'w',
    });
    raw.socket.write(whole.subarray(0, whole.length - 10));
    await new Promise((r) => setTimeout(r, 20));
    raw.socket.destroy();
    await raw.closed;
    await stillServing();
    expect(
      await client
        .db('w')
        .collection('acked')
        .findOne({ _id: 'half' } as never),
    ).toBeNull();
  });
});
