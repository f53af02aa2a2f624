// Internal to localdb: warms a new thread's compiled code before it serves clients.
import { ObjectId, serialize, type Document } from 'bson';
import { dispatch } from '../commands/dispatch.js';
import { CursorManager } from '../cursors/CursorManager.js';
import { silentLogger } from '../LocalDbLogger.js';
import { Store } from '../storage/Store.js';
import { encodeOpMsgReply } from '../wire/encodeReply.js';
import { parseOpMsg } from '../wire/parseRequest.js';

/** What a warm-up did. */
export interface WarmUpResult {
  /** Rounds of the command mix that ran. */
  rounds: number;
  /** Wall time spent, in milliseconds. */
  ms: number;
  /** Commands answered with an error (none, unless a change broke one). */
  failed: number;
}

/** Options for warmUp. */
export interface WarmUpOptions {
  /** Start no round after the first once this much wall time has passed. */
  budgetMs: number;
  /** Stop after this many rounds even if time remains. @default 200 */
  maxRounds?: number;
}

const DB = 'warmup';
const ITEMS = 150;
const SENSORS = 20;
const READINGS_PER_SENSOR = 48;
const DISTRICTS = ['1er', '2e', '3e', '4e', '5e', '6e', '7e', '8e'];
const T0 = Date.UTC(2026, 0, 1);

function item(i: number): Document {
  return {
    _id: new ObjectId(),
    code: `I${i}`,
    district: DISTRICTS[i % DISTRICTS.length],
    name: `item ${i}`,
    n: i,
    score: (i * 37) % 101,
    open: i % 3 !== 0,
    tags: ['a', `t${i % 5}`],
    address: { street: `rue ${i}`, postcode: 13_000 + (i % 16) },
    createdAt: new Date(T0 + i * 60_000),
  };
}

function reading(sensor: number, k: number): Document {
  return {
    device: { id: `S${sensor}`, district: DISTRICTS[sensor % 8] },
    observedAt: new Date(T0 + k * 600_000),
    intensity: (sensor * 31 + k) % 900,
    occupancy: ((sensor + k) % 100) / 100,
    congested: (sensor + k) % 7 === 0,
  };
}

/** The commands of one round, varied by `r` so values and keys differ between rounds. */
function round(r: number): Document[] {
  const i = (r * 7919) % ITEMS;
  const district = DISTRICTS[r % DISTRICTS.length];
  const sensor = `S${r % SENSORS}`;
  const sensors = [sensor, `S${(r + 3) % SENSORS}`, `S${(r + 7) % SENSORS}`];
  const codes = [`I${i}`, `I${(i + 1) % ITEMS}`, `I${(i + 50) % ITEMS}`];
  return [
    // Point reads, as a driver's findOne and a dataloader's `$in` send them.
    { find: 'items', filter: { code: `I${i}` }, limit: 1, singleBatch: true },
    {
      find: 'items',
      filter: { code: { $in: codes } },
      projection: { code: 1, name: 1, district: 1 },
    },
    // Lists: an equality, a range, a sort served by an index, a page after a cursor.
    {
      find: 'items',
      filter: { district, n: { $gte: i % 50 } },
      sort: { n: 1 },
      limit: 10,
    },
    {
      find: 'items',
      filter: {
        district,
        $or: [{ n: { $gt: i % 100 } }, { n: i % 100, name: { $gt: 'item' } }],
      },
      sort: { n: -1, _id: -1 },
      limit: 11,
    },
    { find: 'items', filter: { open: true, score: { $lt: 50 } }, limit: 20 },
    {
      find: 'readings',
      filter: { 'device.id': sensor },
      sort: { observedAt: -1 },
      limit: 1,
      singleBatch: true,
    },
    {
      find: 'readings',
      filter: {
        'device.id': sensor,
        observedAt: { $gte: new Date(T0 + (r % 24) * 600_000) },
      },
      sort: { observedAt: -1 },
      limit: 24,
    },
    // Counts and aggregations as mongoose's countDocuments and the page loaders send them.
    { count: 'items', query: { district } },
    {
      aggregate: 'items',
      pipeline: [
        { $match: { district } },
        { $group: { _id: 1, n: { $sum: 1 } } },
      ],
      cursor: {},
    },
    {
      aggregate: 'readings',
      pipeline: [
        { $match: { 'device.id': { $in: sensors } } },
        { $sort: { 'device.id': 1, observedAt: -1 } },
        { $group: { _id: '$device.id', latest: { $first: '$$ROOT' } } },
      ],
      cursor: {},
    },
    {
      aggregate: 'readings',
      pipeline: [
        { $match: { 'device.id': { $in: sensors } } },
        { $sort: { 'device.id': 1, observedAt: -1 } },
        {
          $group: {
            _id: '$device.id',
            docs: { $firstN: { input: '$$ROOT', n: 9 } },
          },
        },
      ],
      cursor: {},
    },
    {
      aggregate: 'items',
      pipeline: [
        { $match: { open: true } },
        {
          $group: {
            _id: '$district',
            total: { $sum: '$score' },
            mean: { $avg: '$score' },
          },
        },
        { $sort: { total: -1 } },
        { $project: { total: 1, mean: { $round: ['$mean', 1] } } },
      ],
      cursor: {},
    },
    { distinct: 'items', key: 'district', query: { open: true } },
    // Writes, to this scratch store only: an update of a top-level field and an upsert.
    {
      update: 'items',
      updates: [
        { q: { code: `I${i}` }, u: { $set: { score: r % 101 } } },
        {
          q: { code: `X${r % 10}` },
          u: { $setOnInsert: { n: -1 }, $set: { seen: new Date(T0 + r) } },
          upsert: true,
        },
      ],
    },
  ];
}

/**
 * Runs a representative mix of commands (point reads, `$in` lookups, sorted pages,
 * counts, the `$sort` + `$group` page loaders, a top-level update) against a scratch
 * in-memory store, through the same path a client's request takes (OP_MSG parsing,
 * dispatch, reply encoding): one round, then more until `budgetMs` of wall time or
 * `maxRounds` rounds have passed. A worker thread is its own V8 isolate: without this, its first few hundred
 * requests run in the interpreter and baseline code (docs/localdb.md, "Warm-up").
 * Never touches a department's data: the scratch store has no data directory and is
 * dropped afterwards.
 */
export async function warmUp(options: WarmUpOptions): Promise<WarmUpResult> {
  const started = performance.now();
  const maxRounds = options.maxRounds ?? 200;
  const store = Store.open({ logger: silentLogger });
  const cursors = new CursorManager();
  const ctx = {
    db: DB,
    store,
    cursors,
    logger: silentLogger,
    connectionId: 0,
    remote: 'warm-up',
  };
  const run = async (command: Document): Promise<void> => {
    const body = Buffer.concat([
      Buffer.alloc(5),
      serialize({ ...command, $db: DB }),
    ]);
    const request = parseOpMsg(body);
    const reply = await dispatch(request.command, ctx);
    encodeOpMsgReply(0, reply);
    if (reply['ok'] !== 1 || reply['writeErrors'] !== undefined) failed += 1;
  };
  let rounds = 0;
  let failed = 0;
  try {
    await run({
      createIndexes: 'items',
      indexes: [
        { key: { code: 1 }, name: 'code_1', unique: true },
        { key: { district: 1, n: 1 }, name: 'district_1_n_1' },
      ],
    });
    await run({
      create: 'readings',
      timeseries: { timeField: 'observedAt', metaField: 'device' },
    });
    await run({
      createIndexes: 'readings',
      indexes: [
        {
          key: { 'device.id': 1, observedAt: -1 },
          name: 'device.id_1_observedAt_-1',
        },
      ],
    });
    await run({
      insert: 'items',
      documents: Array.from({ length: ITEMS }, (_, i) => item(i)),
    });
    for (let k = 0; k < READINGS_PER_SENSOR; k += 8)
      await run({
        insert: 'readings',
        documents: Array.from({ length: SENSORS * 8 }, (_, j) =>
          reading(j % SENSORS, k + Math.floor(j / SENSORS)),
        ),
      });
    // One round at least, so that every command has run (and every module it loads
    // lazily is loaded) however slow the setup was; then rounds while time remains.
    while (
      rounds < maxRounds &&
      (rounds === 0 || performance.now() - started < options.budgetMs)
    ) {
      for (const command of round(rounds)) await run(command);
      rounds += 1;
      // Lets the thread see a stop request between rounds.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    cursors.close();
    store.close();
  }
  return { rounds, ms: performance.now() - started, failed };
}
