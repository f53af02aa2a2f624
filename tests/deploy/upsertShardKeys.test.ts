/**
 * Every upsert the code makes carries, by equality, the full shard key that scripts/shardKeys.ts
 * decides for its collection: on a sharded cluster mongos cannot target an upsert whose filter
 * lacks part of the key, and refuses it or falls back to a broadcast (MongoDB manual,
 * db.collection.updateOne, "Upsert on a Sharded Collection"; docs/decisions/0020). Each write
 * below runs the real code against a recording stand-in for the collection, so the test fails
 * when the filter or the decision drifts; a source file that gains an upsert fails the last test
 * until it has a case here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Connection } from 'mongoose';
import { describe, expect, it } from 'vitest';
import type { SubgraphName } from '../../lib/runtime/config.js';
import { createIngestStats } from '../../lib/ingest/ingestStats.js';
import { createQuarantine } from '../../lib/ingest/quarantine.js';
import { createUsageStore } from '../../lib/records/usage/usageStore.js';
import { recomputeWindows } from '../../lib/subgraph-kit/recomputeRollups.js';
import { ROLLUP_LEASES_COLLECTION } from '../../lib/subgraph-kit/rollupJob.js';
import { markDirtyWindows } from '../../lib/subgraph-kit/rollupPending.js';
import {
  rollupCollectionName,
  type RollupSeries,
} from '../../lib/subgraph-kit/rollups.js';
import { socialMediaPostHandler } from '../../subgraphs/engagement/src/ingest/SocialMediaPost.js';
import type { EngagementModels } from '../../subgraphs/engagement/src/models/index.js';
import {
  AIR_QUALITY_ROLLUPS,
  NOISE_LEVEL_ROLLUPS,
  WATER_CONSUMPTION_ROLLUPS,
} from '../../subgraphs/environment/src/analysis/readingRollups.js';
import { TRAFFIC_FLOW_ROLLUPS } from '../../subgraphs/mobility/src/analysis/congestionTrend.js';
import {
  shardKeyFieldsMissing,
  shardPlan,
  type ShardKey,
} from '../../scripts/shardKeys.js';

type Doc = Record<string, unknown>;
const root = path.resolve(import.meta.dirname, '../..');
const AT = new Date('2026-11-25T08:00:00.000Z');

/** A stand-in database: records each upsert's collection and filter. */
function recordingDb() {
  const upserts: { collection: string; filter: Doc }[] = [];
  const note = (collection: string, op: Doc) => {
    for (const kind of ['updateOne', 'updateMany', 'replaceOne']) {
      const statement = op[kind] as
        { filter: Doc; upsert?: boolean } | undefined;
      if (statement?.upsert === true)
        upserts.push({ collection, filter: statement.filter });
    }
  };
  const collection = (name: string) => ({
    async bulkWrite(operations: readonly Doc[]) {
      for (const op of operations) note(name, op);
      // Every upsert inserted (the social handler then looks for no edit).
      return {
        upsertedIds: Object.fromEntries(operations.map((_, i) => [i, i])),
      };
    },
    async updateOne(filter: Doc, _update: Doc, options?: { upsert?: boolean }) {
      if (options?.upsert === true) upserts.push({ collection: name, filter });
      return { matchedCount: 0 };
    },
    aggregate(pipeline: readonly Doc[]) {
      const match = (pipeline[0]?.['$match'] ?? {}) as Doc;
      // Raw readings are grouped per window, device and district; finer rollups per scope and key.
      const rows =
        'observedAt' in match
          ? [{ _id: { w: AT, id: 'dev-1', d: '13201' }, count: 1 }]
          : [
              { _id: { b: AT, scope: 'device', key: 'dev-1' }, count: 1 },
              { _id: { b: AT, scope: 'district', key: '13201' }, count: 1 },
            ];
      return { toArray: async () => rows };
    },
  });
  return {
    upserts,
    db: { collection },
    connection: { collection } as unknown as Connection,
  };
}

/** One place in the code that upserts, replayed for one subgraph's database. */
interface UpsertSite {
  readonly subgraph: SubgraphName;
  /** The source file holding the upsert. */
  readonly file: string;
  /** Runs the code; resolves to the collections it upserted into, with their filters. */
  readonly run: () => Promise<{ collection: string; filter: Doc }[]>;
}

const DEPARTMENTS = [
  'mobility',
  'environment',
  'economy',
  'engagement',
] as const;
const SERIES: readonly [SubgraphName, RollupSeries][] = [
  ['mobility', TRAFFIC_FLOW_ROLLUPS],
  ['environment', AIR_QUALITY_ROLLUPS],
  ['environment', NOISE_LEVEL_ROLLUPS],
  ['environment', WATER_CONSUMPTION_ROLLUPS],
];

const SITES: readonly UpsertSite[] = [
  ...SERIES.map(([subgraph, series]): UpsertSite => ({
    subgraph,
    file: 'lib/subgraph-kit/recomputeRollups.ts',
    async run() {
      const { upserts, connection } = recordingDb();
      await recomputeWindows({ connection, series }, [AT]);
      return upserts;
    },
  })),
  ...DEPARTMENTS.flatMap((subgraph): UpsertSite[] => [
    {
      subgraph,
      file: 'lib/ingest/ingestStats.ts',
      async run() {
        const { upserts, db } = recordingDb();
        await createIngestStats({
          ...db.collection('ingest_stats'),
          find: () => ({ toArray: async () => [] }),
        }).record([
          {
            id: 'b',
            source: { kind: 'partner', id: 'p' },
            type: 'T',
            hour: AT,
            inc: { received: 1 },
          },
        ]);
        return upserts;
      },
    },
    {
      subgraph,
      file: 'lib/ingest/quarantine.ts',
      async run() {
        const { upserts, db } = recordingDb();
        await createQuarantine(db.collection('ingest_quarantine')).put([
          {
            entityId: 'urn:x',
            entityType: 'T',
            reason: 'UNKNOWN_DEVICE',
            detail: 'd',
            source: { kind: 'partner', id: 'p' },
            receivedAt: AT,
            format: 'ngsi-ld',
            keyValues: true,
            payload: { id: 'urn:x' },
          },
        ]);
        return upserts;
      },
    },
  ]),
  ...(['mobility', 'environment'] as const).map((subgraph): UpsertSite => ({
    subgraph,
    file: 'lib/subgraph-kit/rollupPending.ts',
    async run() {
      const { upserts, connection } = recordingDb();
      await markDirtyWindows(connection, 'readings', [AT]);
      return upserts;
    },
  })),
  {
    subgraph: 'governance',
    file: 'lib/records/usage/usageStore.ts',
    async run() {
      const { upserts, db } = recordingDb();
      await createUsageStore(db as never).record([
        {
          hash: 'h',
          name: null,
          clientName: null,
          clientVersion: null,
          coordinates: ['Query.x'],
          at: AT,
        },
      ]);
      return upserts;
    },
  },
  {
    subgraph: 'engagement',
    file: 'subgraphs/engagement/src/ingest/SocialMediaPost.ts',
    async run() {
      const { upserts, db } = recordingDb();
      const models = {
        SocialPost: { collection: db.collection('social_posts') },
      } as unknown as EngagementModels;
      await socialMediaPostHandler(models).store([
        { doc: { _id: 'eng-sp-0' } } as never,
      ]);
      return upserts;
    },
  },
];

/**
 * Upserts not replayed here, with the collection each writes: their collection must stay
 * unsharded (the test below says so), or be given a replayed case above.
 */
const UNREPLAYED: readonly {
  subgraph: SubgraphName;
  file: string;
  collection: string;
}[] = [
  // A lease taken by `_id` with an `$or` on its holder: needs a running job to replay.
  ...(['mobility', 'environment'] as const).map((subgraph) => ({
    subgraph,
    file: 'lib/subgraph-kit/rollupJob.ts',
    collection: ROLLUP_LEASES_COLLECTION,
  })),
  {
    subgraph: 'environment',
    file: 'subgraphs/environment/src/analysis/leakAnalysis.ts',
    collection: 'water_leak_alerts',
  },
];

function keyOf(subgraph: SubgraphName, collection: string): ShardKey | null {
  const planned = shardPlan(subgraph).find((c) => c.collection === collection);
  if (planned === undefined)
    throw new Error(`${subgraph}.${collection} is not in the sharding plan`);
  return planned.key;
}

describe('upserts on sharded collections', () => {
  it('finds missing and non-equality shard-key fields in a filter', () => {
    const key = { scope: 1, key: 1, start: 1 } as const;
    expect(shardKeyFieldsMissing({ _id: 'x' }, key)).toEqual([
      'scope',
      'key',
      'start',
    ]);
    expect(
      shardKeyFieldsMissing(
        { scope: 'device', key: { $eq: 'k' }, start: { $gte: AT } },
        key,
      ),
    ).toEqual(['start']);
    expect(
      shardKeyFieldsMissing({ scope: 'd', key: 'k', start: AT }, key),
    ).toEqual([]);
  });

  it.each(SITES.map((site) => [`${site.subgraph}: ${site.file}`, site]))(
    '%s carries the full shard key of its collection',
    async (_, site) => {
      const upserts = await site.run();
      expect(upserts.length).toBeGreaterThan(0);
      for (const { collection, filter } of upserts) {
        const key = keyOf(site.subgraph, collection);
        if (key === null) continue;
        expect(
          shardKeyFieldsMissing(filter, key),
          `${site.subgraph}.${collection} (${JSON.stringify(key)}): ${JSON.stringify(filter)}`,
        ).toEqual([]);
      }
    },
  );

  it('writes the rollups with their shard key { scope, key, resolution, start } beside `_id`', async () => {
    const { upserts, connection } = recordingDb();
    await recomputeWindows({ connection, series: TRAFFIC_FLOW_ROLLUPS }, [AT]);
    const rollups = rollupCollectionName(TRAFFIC_FLOW_ROLLUPS);
    expect(keyOf('mobility', rollups)).toEqual({
      scope: 1,
      key: 1,
      resolution: 1,
      start: 1,
    });
    // 15 minutes, the hour and the day, per device and per district.
    expect(upserts.filter((u) => u.collection === rollups)).toHaveLength(6);
    for (const { filter } of upserts)
      expect(Object.keys(filter).sort()).toEqual(
        ['_id', 'key', 'resolution', 'scope', 'start'].sort(),
      );
  });

  it('keeps the upserts it does not replay on unsharded collections', () => {
    for (const { subgraph, collection, file } of UNREPLAYED)
      expect(
        keyOf(subgraph, collection),
        `${subgraph}.${collection} (${file}) is sharded: replay its upsert in SITES`,
      ).toBeNull();
  });

  it('has a case for every source file that upserts', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(path.join(root, dir), {
        withFileTypes: true,
      })) {
        const rel = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (!['node_modules', 'test', '__generated__'].includes(entry.name))
            walk(rel);
        } else if (
          rel.endsWith('.ts') &&
          !rel.endsWith('.test.ts') &&
          /upsert:\s*true/.test(readFileSync(path.join(root, rel), 'utf8'))
        )
          files.push(rel);
      }
    };
    for (const dir of ['lib', 'subgraphs', 'gateway', 'scripts']) walk(dir);
    const covered = new Set([
      ...SITES.map((s) => s.file),
      ...UNREPLAYED.map((s) => s.file),
    ]);
    expect(files.filter((f) => !covered.has(f)).sort()).toEqual([]);
    expect([...covered].filter((f) => !files.includes(f)).sort()).toEqual([]);
  });
});
