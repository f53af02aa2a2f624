/**
 * The production sharding plan (docs/scale.md, "Sharding"): one decision per collection of each
 * subgraph's database, and the mongosh script that applies it on a department's mongos
 * (`npm run deploy:manifests` writes it under deploy/mongodb/ and into the Kubernetes Job of
 * deploy/k8s/mongodb-shard-keys.yaml).
 *
 * The collections themselves come from the models (each department's `createModels`, compiled on
 * a recording stand-in for a connection, so nothing connects) and from the few collections lib/
 * writes with the driver; the time-series options and indexes come from the schemas. This table
 * only holds what the models cannot say: the decision and its reason. tests/deploy/shardKeys.test.ts
 * fails when a model declares a collection this table has no decision for, or the reverse.
 */
import type { Connection, Schema } from 'mongoose';
import { SUBGRAPH_NAMES, type SubgraphName } from '../lib/runtime/config.js';
import { AUDIT_CHECKPOINTS_COLLECTION } from '../lib/records/audit/auditCheckpoints.js';
import { OPERATION_USAGE_COLLECTION } from '../lib/records/usage/usageStore.js';
import { OUTBOX_COLLECTION } from '../lib/subgraph-kit/eventOutbox.js';
import { ROLLUP_LEASES_COLLECTION } from '../lib/subgraph-kit/rollupJob.js';
import { ROLLUP_PENDING_COLLECTION } from '../lib/subgraph-kit/rollupPending.js';
import { rollupCollectionName } from '../lib/subgraph-kit/rollups.js';
import { createModels as economyModels } from '../subgraphs/economy/src/models/index.js';
import { createModels as engagementModels } from '../subgraphs/engagement/src/models/index.js';
import { createModels as environmentModels } from '../subgraphs/environment/src/models/index.js';
import { createModels as governanceModels } from '../subgraphs/governance/src/models/index.js';
import { createModels as mobilityModels } from '../subgraphs/mobility/src/models/index.js';

/** A shard key as MongoDB takes it: fields in order, each ranged (1) or hashed. */
export type ShardKey = Readonly<Record<string, 1 | 'hashed'>>;

/** What is decided for one collection. */
export type ShardDecision =
  /**
   * A collection of readings, keyed from its model: a time-series collection on its series
   * identity, `<metaField>.id` hashed; a plain one (before its department moves it to time-series
   * storage, docs/ingestion.md) like any regular collection written by `_id`, `_id` hashed.
   */
  | { readonly shard: 'readings'; readonly why: string }
  /** Sharded on `key` (the script creates the supporting index if it is missing). */
  | { readonly shard: 'key'; readonly key: ShardKey; readonly why: string }
  /** Stays on the database's primary shard. */
  | { readonly shard: 'unsharded'; readonly why: string };

const READINGS: ShardDecision = {
  shard: 'readings',
  why: 'Raw readings: the series identity (device.id) spreads writes over every shard and sends each device query to one; time is not in the key (MongoDB deprecates time in time-series shard keys).',
};
const BY_ID_HASHED = (why: string): ShardDecision => ({
  shard: 'key',
  key: { _id: 'hashed' },
  why,
});
const REFERENCE = (what: string): ShardDecision => ({
  shard: 'unsharded',
  why: `Reference data (${what}): bounded by what the city owns, far below one chunk; sharded, every district page would be a broadcast for nothing.`,
});
const OUTBOX: ShardDecision = {
  shard: 'unsharded',
  why: 'Events wait here only until the relay hands them to the broker, read in order of `order`: small, and a broadcast per poll if sharded.',
};
const ROLLUPS: ShardDecision = {
  shard: 'key',
  key: { scope: 1, key: 1, resolution: 1, start: 1 },
  why: 'Rollups: ranged on their read index, so that every trend (one key, one resolution, a range of starts) reads one contiguous range on one shard, and each series keeps its buckets together.',
};
const ROLLUP_PENDING: ShardDecision = {
  shard: 'unsharded',
  why: 'Dirty-window markers: one per reading collection and 15-minute window, deleted once recomputed; a few hundred at most.',
};
const ROLLUP_LEASES: ShardDecision = {
  shard: 'unsharded',
  why: 'One lease per reading collection.',
};
const INGEST_STATS: ShardDecision = {
  shard: 'unsharded',
  why: 'Ingestion counts per source, entity type and hour, read over ranges for the data-quality view: thousands of documents a year.',
};
const READING_KEYS = BY_ID_HASHED(
  'The dedupe ledger: one key per stored reading, inserted and deleted by `_id` only, expiring by TTL; as many documents as readings, so spread evenly.',
);
const IDEMPOTENCY = BY_ID_HASHED(
  'Kept answers of retried mutations, found by key only (`_id`), expiring by TTL: grows with traffic.',
);
const QUARANTINE = BY_ID_HASHED(
  'Refused partner records, written by `_id` (a hash of source and payload) with upserts: a flood of bad data must not land on one shard.',
);

/**
 * The decision for every collection of every subgraph's database, by collection name. Keep the
 * reasons short: docs/scale.md explains the rules they follow.
 */
export const SHARD_KEYS: Readonly<
  Record<SubgraphName, Readonly<Record<string, ShardDecision>>>
> = {
  mobility: {
    traffic_flow_readings: READINGS,
    traffic_flow_rollups: ROLLUPS,
    reading_keys: READING_KEYS,
    [ROLLUP_PENDING_COLLECTION]: ROLLUP_PENDING,
    [ROLLUP_LEASES_COLLECTION]: ROLLUP_LEASES,
    traffic_sensors: REFERENCE('road sensors'),
    traffic_lights: REFERENCE('signalled crossings'),
    transit_lines: REFERENCE('RTM lines'),
    transit_stops: REFERENCE('RTM stops'),
    bike_stations: REFERENCE('levélo stations'),
    idempotency_keys: IDEMPOTENCY,
    ingest_quarantine: QUARANTINE,
    ingest_stats: INGEST_STATS,
    [OUTBOX_COLLECTION]: OUTBOX,
  },
  environment: {
    air_quality_observed: READINGS,
    noise_level_observed: READINGS,
    water_consumption_observed: READINGS,
    air_quality_rollups: ROLLUPS,
    noise_level_rollups: ROLLUPS,
    water_consumption_rollups: ROLLUPS,
    reading_keys: READING_KEYS,
    [ROLLUP_PENDING_COLLECTION]: ROLLUP_PENDING,
    [ROLLUP_LEASES_COLLECTION]: ROLLUP_LEASES,
    air_quality_stations: REFERENCE('air-quality and noise stations'),
    water_meters: REFERENCE('district water meters'),
    renewable_energy_projects: REFERENCE('energy projects'),
    water_leak_alerts: {
      shard: 'unsharded',
      why: 'A few alerts a month, listed by district and status: far below one chunk for decades.',
    },
    idempotency_keys: IDEMPOTENCY,
    ingest_quarantine: QUARANTINE,
    ingest_stats: INGEST_STATS,
    [OUTBOX_COLLECTION]: OUTBOX,
  },
  economy: {
    businesses: BY_ID_HASHED(
      'The business registry (Marseille counts well over 100,000 establishments), written and loaded by `_id` (SIRET); upserts carry only `_id`.',
    ),
    investments: BY_ID_HASHED(
      'Grows with every recorded investment; written and loaded by `_id`.',
    ),
    startups: REFERENCE('startups followed by the city'),
    innovation_hubs: REFERENCE('innovation hubs'),
    market_indicators: {
      shard: 'unsharded',
      why: 'A handful of indicators per district and period: far below one chunk.',
    },
    idempotency_keys: IDEMPOTENCY,
    ingest_quarantine: QUARANTINE,
    ingest_stats: INGEST_STATS,
    [OUTBOX_COLLECTION]: OUTBOX,
  },
  engagement: {
    citizen_reports: BY_ID_HASHED(
      'Grows with every report, for years; workflow transitions update by `_id` and version, so `_id` keeps every write on one shard and `_id` unique across shards.',
    ),
    social_posts: BY_ID_HASHED(
      "Public posts from social media, pseudonymized: grows with the city's feeds; stored by upserts on `_id` (a keyed hash of the status), so the same status twice is one document, across shards too.",
    ),
    enrolments: BY_ID_HASHED(
      'Grows with every enrolment; written by `_id` (idempotent upserts).',
    ),
    workshops: REFERENCE('workshops'),
    training_programs: REFERENCE('training programmes'),
    surveys: REFERENCE('surveys'),
    digital_inclusion_indicators: {
      shard: 'unsharded',
      why: 'A few indicators per district and year: far below one chunk.',
    },
    idempotency_keys: IDEMPOTENCY,
    ingest_quarantine: QUARANTINE,
    ingest_stats: INGEST_STATS,
    [OUTBOX_COLLECTION]: OUTBOX,
  },
  governance: {
    audit_events: {
      shard: 'unsharded',
      why: 'The audit trail is a hash chain per gateway replica, appended and verified in order (docs/decisions/0003); the governance database stays one replica set. Should it outgrow it, { chainId: 1, seq: 1 } keeps each chain contiguous.',
    },
    [AUDIT_CHECKPOINTS_COLLECTION]: {
      shard: 'unsharded',
      why: 'One checkpoint per chain and period, beside the audit trail.',
    },
    [OPERATION_USAGE_COLLECTION]: {
      shard: 'unsharded',
      why: 'Hourly counts per operation: small, read whole by the schema check.',
    },
    [OUTBOX_COLLECTION]: OUTBOX,
  },
};

/** Time-series options of a collection, as its model declares them. */
export interface TimeSeriesOptions {
  readonly timeField: string;
  readonly metaField?: string;
  readonly granularity?: 'seconds' | 'minutes' | 'hours';
}

/** A collection a subgraph's database holds, and who declares it. */
export interface DeclaredCollection {
  readonly name: string;
  /** `model <Name>`, or the lib/ module that writes it with the driver. */
  readonly declaredBy: string;
  readonly timeseries?: TimeSeriesOptions;
  /** The index keys the model declares (for the shard key's supporting index). */
  readonly indexes: readonly Readonly<Record<string, unknown>>[];
}

/** Collections lib/ writes with the driver rather than through a model, per subgraph. */
const LIB_COLLECTIONS: Readonly<
  Record<SubgraphName, readonly { name: string; declaredBy: string }[]>
> = {
  mobility: [
    { name: OUTBOX_COLLECTION, declaredBy: 'lib/subgraph-kit/eventOutbox.ts' },
  ],
  environment: [
    { name: OUTBOX_COLLECTION, declaredBy: 'lib/subgraph-kit/eventOutbox.ts' },
  ],
  economy: [
    { name: OUTBOX_COLLECTION, declaredBy: 'lib/subgraph-kit/eventOutbox.ts' },
  ],
  engagement: [
    { name: OUTBOX_COLLECTION, declaredBy: 'lib/subgraph-kit/eventOutbox.ts' },
  ],
  governance: [
    { name: OUTBOX_COLLECTION, declaredBy: 'lib/subgraph-kit/eventOutbox.ts' },
    {
      name: AUDIT_CHECKPOINTS_COLLECTION,
      declaredBy: 'lib/records/audit/auditCheckpoints.ts',
    },
    {
      name: OPERATION_USAGE_COLLECTION,
      declaredBy: 'lib/records/usage/usageStore.ts',
    },
  ],
};

const MODELS: Readonly<
  Record<SubgraphName, (connection: Connection) => unknown>
> = {
  mobility: mobilityModels,
  environment: environmentModels,
  economy: economyModels,
  engagement: engagementModels,
  governance: governanceModels,
};

/**
 * The models a subgraph's `createModels` compiles, recorded by a stand-in connection (nothing
 * connects: only `model(name, schema)` is called).
 */
function compiledSchemas(
  name: SubgraphName,
): { model: string; schema: Schema }[] {
  const seen: { model: string; schema: Schema }[] = [];
  const recorder = {
    models: {},
    model(model: string, schema: Schema) {
      seen.push({ model, schema });
      return {};
    },
  };
  MODELS[name](recorder as unknown as Connection);
  return seen;
}

/**
 * Every collection of a subgraph's database: from its models, then from lib/ (the outbox, the
 * rollups of each collection of readings and their markers and leases). Collections of readings
 * are the time-series models and those `decisions` says hold readings.
 */
export function declaredCollections(
  name: SubgraphName,
  decisions: Readonly<Record<string, ShardDecision>> = SHARD_KEYS[name],
): DeclaredCollection[] {
  const out: DeclaredCollection[] = [];
  for (const { model, schema } of compiledSchemas(name)) {
    const options = schema.options as {
      collection?: string;
      timeseries?: TimeSeriesOptions;
    };
    if (options.collection === undefined)
      throw new Error(
        `${name}: model ${model} names no collection (schema option \`collection\`)`,
      );
    out.push({
      name: options.collection,
      declaredBy: `model ${model}`,
      ...(options.timeseries === undefined
        ? {}
        : { timeseries: options.timeseries }),
      indexes: schema.indexes().map(([fields]) => fields),
    });
  }
  // Every reading collection has its rollups beside it, kept up to date through the
  // department's rollup_pending markers and rollup_leases (lib/subgraph-kit/rollups.ts).
  const series = out.filter(
    (c) =>
      c.timeseries !== undefined || decisions[c.name]?.shard === 'readings',
  );
  const extras = [...LIB_COLLECTIONS[name]];
  for (const readings of series)
    extras.push({
      name: rollupCollectionName({ readings: readings.name, quantities: {} }),
      declaredBy: `lib/subgraph-kit/rollups.ts (rollups of ${readings.name})`,
    });
  if (series.length > 0)
    extras.push(
      {
        name: ROLLUP_PENDING_COLLECTION,
        declaredBy: 'lib/subgraph-kit/rollupPending.ts',
      },
      {
        name: ROLLUP_LEASES_COLLECTION,
        declaredBy: 'lib/subgraph-kit/rollupJob.ts',
      },
    );
  for (const extra of extras)
    if (!out.some((c) => c.name === extra.name))
      out.push({ ...extra, indexes: [] });
  return out;
}

/** One collection's place in the plan. */
export interface PlannedCollection {
  readonly collection: string;
  /** Null: stays on the primary shard. */
  readonly key: ShardKey | null;
  readonly timeseries?: TimeSeriesOptions;
  readonly why: string;
}

/** Options of {@link shardPlan} (tests replace what the repository declares). */
export interface ShardPlanOptions {
  /** @default {@link declaredCollections} of the subgraph */
  readonly declared?: readonly DeclaredCollection[];
  /** @default the subgraph's row of {@link SHARD_KEYS} */
  readonly decisions?: Readonly<Record<string, ShardDecision>>;
}

/**
 * The plan for one subgraph's database, in collection-name order. Throws when the table and the
 * models disagree: a collection without a decision, a decision for no collection, a time-series
 * model not decided as readings, a time-series model without a metaField.
 */
export function shardPlan(
  name: SubgraphName,
  options: ShardPlanOptions = {},
): PlannedCollection[] {
  const decisions = options.decisions ?? SHARD_KEYS[name];
  const declared = options.declared ?? declaredCollections(name, decisions);
  const problems: string[] = [];
  for (const c of declared)
    if (decisions[c.name] === undefined)
      problems.push(
        `${name}.${c.name} (${c.declaredBy}) has no shard-key decision in scripts/shardKeys.ts`,
      );
  for (const collection of Object.keys(decisions))
    if (!declared.some((c) => c.name === collection))
      problems.push(
        `${name}.${collection} has a shard-key decision but no model or lib module declares it`,
      );
  const plan: PlannedCollection[] = [];
  for (const c of [...declared].sort((a, b) => a.name.localeCompare(b.name))) {
    const decision = decisions[c.name];
    if (decision === undefined) continue;
    if (c.timeseries !== undefined && decision.shard !== 'readings') {
      problems.push(
        `${name}.${c.name}: the model says a time-series collection, the table says ${decision.shard}`,
      );
      continue;
    }
    if (decision.shard === 'readings' && c.timeseries !== undefined) {
      if (c.timeseries.metaField === undefined) {
        problems.push(
          `${name}.${c.name}: a time-series model without a metaField`,
        );
        continue;
      }
      plan.push({
        collection: c.name,
        key: { [`${c.timeseries.metaField}.id`]: 'hashed' },
        timeseries: c.timeseries,
        why: decision.why,
      });
    } else
      plan.push({
        collection: c.name,
        key:
          decision.shard === 'key'
            ? decision.key
            : decision.shard === 'readings'
              ? { _id: 'hashed' }
              : null,
        why: decision.why,
      });
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return plan;
}

/** The subgraphs whose database has at least one sharded collection (those get a Job). */
export function shardedSubgraphs(): SubgraphName[] {
  return SUBGRAPH_NAMES.filter((name) =>
    shardPlan(name).some((c) => c.key !== null),
  );
}

/**
 * The mongosh script that applies {@link shardPlan} to database `name` through a mongos.
 * Idempotent: a collection already sharded on the planned key is left alone; one sharded on
 * another key is reported and the script exits 1 (changing a key is `reshardCollection`, an
 * operator's decision). On a replica set (no mongos) it says so and changes nothing.
 */
export function shardKeyScript(
  name: SubgraphName,
  planned: readonly PlannedCollection[] = shardPlan(name),
): string {
  const plan = planned.filter((c) => c.key !== null);
  const unsharded = planned
    .filter((c) => c.key === null)
    .map((c) => c.collection);
  const lines = [
    `// Generated by \`npm run deploy:manifests\` from scripts/shardKeys.ts: edit that, not this.`,
    `// Applies the shard keys of the ${name} database (docs/scale.md, "Sharding") through a mongos:`,
    `//   mongosh "<mongos URI>" --file shard-keys-${name}.js`,
    `// Idempotent; exits 1 when a collection is already sharded on another key.`,
    `const DATABASE = ${JSON.stringify(name)};`,
    `const PLAN = ${JSON.stringify(
      plan.map((c) => ({
        collection: c.collection,
        key: c.key,
        ...(c.timeseries === undefined ? {} : { timeseries: c.timeseries }),
      })),
      null,
      2,
    )};`,
    `// Stay on the database's primary shard: ${unsharded.join(', ')}.`,
    '',
    SCRIPT_BODY,
  ];
  return `${lines.join('\n')}\n`;
}

// Plain mongosh JavaScript (no TypeScript): kept apart so the plan above reads as data.
const SCRIPT_BODY = `if (db.hello().msg !== 'isdbgrid') {
  print(\`not a mongos: \${DATABASE} runs as a replica set, nothing to shard\`);
  quit(0);
}
const target = db.getSiblingDB(DATABASE);
const config = db.getSiblingDB('config');
db.adminCommand({ enableSharding: DATABASE });
// A time-series collection is sharded as its buckets; their metaField is called \`meta\`.
const bucketKey = (entry) =>
  Object.fromEntries(
    Object.entries(entry.key).map(([field, kind]) => [
      field.replace(new RegExp('^' + entry.timeseries.metaField + '\\\\.'), 'meta.'),
      kind,
    ]),
  );
let failed = false;
for (const entry of PLAN) {
  const ns = DATABASE + '.' + entry.collection;
  const sharded =
    config.collections.findOne({ _id: ns, unsplittable: { $ne: true } }) ??
    config.collections.findOne({
      _id: DATABASE + '.system.buckets.' + entry.collection,
    });
  if (sharded) {
    const expected = JSON.stringify(
      entry.timeseries && sharded._id.includes('.system.buckets.')
        ? bucketKey(entry)
        : entry.key,
    );
    if (JSON.stringify(sharded.key) === expected) {
      print(\`\${ns}: sharded on \${expected}\`);
    } else {
      print(\`\${ns}: sharded on \${JSON.stringify(sharded.key)}, not \${expected}: reshard by hand (docs/scale.md)\`);
      failed = true;
    }
    continue;
  }
  const exists =
    target.getCollectionInfos({ name: entry.collection }).length > 0;
  // An existing collection needs an index that supports the key; a new one gets it from shardCollection.
  if (exists) target.getCollection(entry.collection).createIndex(entry.key);
  try {
    const result = db.adminCommand({
      shardCollection: ns,
      key: entry.key,
      ...(entry.timeseries && !exists ? { timeseries: entry.timeseries } : {}),
    });
    if (result.ok !== 1) throw new Error(result.errmsg);
    print(\`\${ns}: now sharded on \${JSON.stringify(entry.key)}\`);
  } catch (error) {
    print(\`\${ns}: \${error.message}\`);
    failed = true;
  }
}
quit(failed ? 1 : 0);`;

/**
 * The fields of `key` an upsert's `filter` does not hold by equality (a value, or `{ $eq }`),
 * in key order. On a sharded collection an upsert must carry the full shard key by equality, or
 * mongos cannot target it (MongoDB manual, db.collection.updateOne, "Upsert on a Sharded
 * Collection"); tests/deploy/upsertShardKeys.test.ts runs every upsert the code makes through it.
 */
export function shardKeyFieldsMissing(
  filter: Readonly<Record<string, unknown>>,
  key: ShardKey,
): string[] {
  return Object.keys(key).filter((field) => {
    if (!(field in filter)) return true;
    const value = filter[field];
    if (value === undefined || value instanceof RegExp) return true;
    if (
      typeof value === 'object' &&
      value !== null &&
      !(value instanceof Date) &&
      !Array.isArray(value)
    ) {
      const ops = Object.keys(value);
      if (ops.some((op) => op.startsWith('$'))) return !('$eq' in value);
    }
    return false;
  });
}
