/**
 * The sharding plan (scripts/shardKeys.ts) covers every collection the models and lib/ declare,
 * derives the time-series keys from the models, and the mongosh script generated from it does
 * what docs/scale.md says on a mongos (played here against a recording stand-in for mongosh's
 * `db`: there is no mongos on this machine, and localdb is not one).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { SUBGRAPH_NAMES } from '../../lib/runtime/config.js';
import {
  SHARD_KEYS,
  declaredCollections,
  shardKeyScript,
  shardPlan,
  shardedSubgraphs,
  type PlannedCollection,
} from '../../scripts/shardKeys.js';
import {
  MONGODB_DIR,
  renderMongoScripts,
} from '../../scripts/deployManifests.js';

type Doc = Record<string, unknown>;

/** What the script did against a stand-in mongos (or replica set). */
interface Run {
  exitCode: number | undefined;
  printed: string[];
  commands: Doc[];
  indexes: { collection: string; key: Doc }[];
}

/**
 * Runs the generated script of `database` with mongosh's globals: `sharded` is config.collections
 * (by namespace), `existing` the collections the database already holds.
 */
function play(
  database: (typeof SUBGRAPH_NAMES)[number],
  options: {
    mongos?: boolean;
    sharded?: Record<string, Doc>;
    existing?: string[];
    refuse?: string;
    plan?: PlannedCollection[];
  } = {},
): Run {
  const run: Run = {
    exitCode: undefined,
    printed: [],
    commands: [],
    indexes: [],
  };
  class Quit extends Error {}
  const sharded = options.sharded ?? {};
  const existing = new Set(options.existing ?? []);
  const siblingOf = (name: string) => ({
    collections: {
      findOne: (filter: { _id: string }) =>
        name === 'config' && sharded[filter._id] !== undefined
          ? { _id: filter._id, ...sharded[filter._id] }
          : null,
    },
    getCollectionInfos: ({ name: collection }: { name: string }) =>
      existing.has(collection) ? [{ name: collection }] : [],
    getCollection: (collection: string) => ({
      createIndex: (key: Doc) => {
        run.indexes.push({ collection, key });
        return 'ok';
      },
    }),
  });
  const db = {
    hello: () => (options.mongos === false ? {} : { msg: 'isdbgrid' }),
    getSiblingDB: siblingOf,
    adminCommand: (command: Doc) => {
      run.commands.push(command);
      if (
        options.refuse !== undefined &&
        command['shardCollection'] === options.refuse
      )
        throw new Error('refused by the stand-in');
      return { ok: 1 };
    },
  };
  try {
    runInNewContext(shardKeyScript(database, options.plan), {
      db,
      print: (line: string) => run.printed.push(line),
      quit: (code: number) => {
        run.exitCode = code;
        throw new Quit();
      },
    });
  } catch (error) {
    if (!(error instanceof Quit)) throw error;
  }
  return run;
}

describe('the sharding plan', () => {
  it('has a decision for every collection each subgraph declares, and none for a collection nobody declares', () => {
    for (const name of SUBGRAPH_NAMES) {
      const declared = declaredCollections(name).map((c) => c.name);
      expect(declared.length, name).toBeGreaterThan(0);
      expect(Object.keys(SHARD_KEYS[name]).sort(), name).toEqual(
        [...new Set(declared)].sort(),
      );
      expect(() => shardPlan(name), name).not.toThrow();
    }
  });

  it('fails, naming it, when a department adds a collection without a decision', () => {
    const declared = [
      ...declaredCollections('mobility'),
      { name: 'parking_spaces', declaredBy: 'model ParkingSpace', indexes: [] },
    ];
    expect(() => shardPlan('mobility', { declared })).toThrow(
      /mobility\.parking_spaces \(model ParkingSpace\) has no shard-key decision/,
    );
  });

  it('fails when a decision names a collection nobody declares, or disagrees with the model', () => {
    expect(() =>
      shardPlan('economy', {
        decisions: {
          ...SHARD_KEYS.economy,
          gone: { shard: 'unsharded', why: '' },
        },
      }),
    ).toThrow(/economy\.gone has a shard-key decision but no model/);
    expect(() =>
      shardPlan('economy', {
        declared: [
          ...declaredCollections('economy'),
          {
            name: 'footfall_observed',
            declaredBy: 'model FootfallObserved',
            timeseries: { timeField: 'observedAt', metaField: 'device' },
            indexes: [],
          },
        ],
        decisions: {
          ...SHARD_KEYS.economy,
          footfall_observed: { shard: 'unsharded', why: '' },
        },
      }),
    ).toThrow(
      /economy\.footfall_observed: the model says a time-series collection, the table says unsharded/,
    );
  });

  it('shards readings on their series id, hashed, from the model (on `_id` while a collection is still plain), with their rollups beside them', () => {
    const readings: string[] = [];
    for (const name of SUBGRAPH_NAMES) {
      const plan = shardPlan(name);
      for (const c of plan) {
        if (SHARD_KEYS[name][c.collection]?.shard !== 'readings') continue;
        readings.push(c.collection);
        if (c.timeseries === undefined)
          expect(c.key).toEqual({ _id: 'hashed' });
        else {
          expect(c.timeseries.timeField).toBe('observedAt');
          expect(c.key).toEqual({
            [`${c.timeseries.metaField ?? ''}.id`]: 'hashed',
          });
        }
        const rollups = plan.find(
          (r) =>
            r.collection ===
            c.collection.replace(/_(readings|observed)$/, '_rollups'),
        );
        expect(rollups?.key).toEqual({
          scope: 1,
          key: 1,
          resolution: 1,
          start: 1,
        });
      }
    }
    expect(readings.sort()).toEqual([
      'air_quality_observed',
      'noise_level_observed',
      'traffic_flow_readings',
      'water_consumption_observed',
    ]);
  });

  it('is the table docs/scale.md shows: every collection named in the row of its database', () => {
    const doc = readFileSync(
      path.resolve(import.meta.dirname, '../../docs/scale.md'),
      'utf8',
    );
    const section = doc.slice(doc.indexOf('### Per collection'));
    for (const name of SUBGRAPH_NAMES) {
      // The database's rows: from its first cell to the next database's.
      const start = section.indexOf(`| ${name} |`);
      expect(start, name).toBeGreaterThan(-1);
      const rest = section.slice(start + 1);
      const next = SUBGRAPH_NAMES.map((n) => rest.indexOf(`| ${n} |`))
        .filter((i) => i >= 0)
        .sort((a, b) => a - b)[0];
      const rows = rest.slice(0, next ?? rest.indexOf('\n\n'));
      for (const c of shardPlan(name))
        expect(rows, `${name}.${c.collection}`).toContain(
          `\`${c.collection}\``,
        );
    }
  });

  it('keeps governance on one replica set, so only the departments get a sharding Job', () => {
    expect(shardPlan('governance').every((c) => c.key === null)).toBe(true);
    expect(shardedSubgraphs()).toEqual([
      'mobility',
      'environment',
      'economy',
      'engagement',
    ]);
  });
});

describe('the generated mongosh script', () => {
  it('is what deploy/mongodb/ holds (npm run deploy:manifests)', () => {
    const files = renderMongoScripts();
    expect([...files.keys()].sort()).toEqual(
      shardedSubgraphs()
        .map((n) => `shard-keys-${n}.js`)
        .sort(),
    );
    for (const [file, text] of files)
      expect(readFileSync(path.join(MONGODB_DIR, file), 'utf8'), file).toBe(
        text,
      );
  });

  it('changes nothing on a replica set', () => {
    const run = play('mobility', { mongos: false });
    expect(run.exitCode).toBe(0);
    expect(run.commands).toEqual([]);
    expect(run.printed.join('\n')).toMatch(/not a mongos/);
  });

  it('shards each planned collection with its key, and creates a new time-series collection with its options', () => {
    const plan = shardPlan('environment');
    const run = play('environment');
    expect(run.exitCode).toBe(0);
    const shardings = run.commands.filter((c) => 'shardCollection' in c);
    const sharded = plan.filter((c) => c.key !== null);
    expect(shardings.map((c) => [c['shardCollection'], c['key']])).toEqual(
      sharded.map((c) => [`environment.${c.collection}`, c.key]),
    );
    // Nothing existed: no index built by hand, shardCollection makes it.
    expect(run.indexes).toEqual([]);
    // The unsharded ones are never named in a command.
    expect(JSON.stringify(run.commands)).not.toMatch(/air_quality_stations/);

    const timeseries = {
      timeField: 'observedAt',
      metaField: 'device',
      granularity: 'minutes',
    } as const;
    const withSeries = play('environment', {
      plan: [
        {
          collection: 'air_quality_observed',
          key: { 'device.id': 'hashed' },
          timeseries,
          why: '',
        },
      ],
    });
    expect(withSeries.commands.filter((c) => 'shardCollection' in c)).toEqual([
      {
        shardCollection: 'environment.air_quality_observed',
        key: { 'device.id': 'hashed' },
        timeseries,
      },
    ]);
    // An existing time-series collection is sharded as it is, after its key's index.
    const existing = play('environment', {
      existing: ['air_quality_observed'],
      plan: [
        {
          collection: 'air_quality_observed',
          key: { 'device.id': 'hashed' },
          timeseries,
          why: '',
        },
      ],
    });
    expect(existing.indexes).toEqual([
      { collection: 'air_quality_observed', key: { 'device.id': 'hashed' } },
    ]);
    expect(
      existing.commands.find((c) => 'shardCollection' in c),
    ).not.toHaveProperty('timeseries');
  });

  it('recognises a time-series collection sharded as its buckets (meta.id)', () => {
    const timeseries = {
      timeField: 'observedAt',
      metaField: 'device',
    } as const;
    const run = play('mobility', {
      sharded: {
        'mobility.system.buckets.traffic_flow_readings': {
          key: { 'meta.id': 'hashed' },
        },
      },
      plan: [
        {
          collection: 'traffic_flow_readings',
          key: { 'device.id': 'hashed' },
          timeseries,
          why: '',
        },
      ],
    });
    expect(run.exitCode).toBe(0);
    expect(run.commands.filter((c) => 'shardCollection' in c)).toEqual([]);
  });

  it('builds the supporting index first on a collection that already holds data', () => {
    const run = play('economy', { existing: ['businesses'] });
    expect(run.exitCode).toBe(0);
    expect(run.indexes).toEqual([
      { collection: 'businesses', key: { _id: 'hashed' } },
    ]);
  });

  it('is idempotent, and refuses to go on when a collection is sharded on another key', () => {
    const sharded: Record<string, Doc> = {};
    for (const c of shardPlan('mobility'))
      if (c.key !== null)
        sharded[
          c.timeseries
            ? `mobility.system.buckets.${c.collection}`
            : `mobility.${c.collection}`
        ] = {
          key: c.timeseries ? { 'meta.id': 'hashed' } : c.key,
        };
    const again = play('mobility', { sharded });
    expect(again.exitCode).toBe(0);
    expect(again.commands.filter((c) => 'shardCollection' in c)).toEqual([]);

    const otherKey = play('mobility', {
      sharded: {
        ...sharded,
        'mobility.idempotency_keys': { key: { createdAt: 1 } },
      },
    });
    expect(otherKey.exitCode).toBe(1);
    expect(otherKey.printed.join('\n')).toMatch(
      /mobility\.idempotency_keys: sharded on \{"createdAt":1\}, not \{"_id":"hashed"\}/,
    );
  });

  it('reports a refused shardCollection and exits 1 after trying the others', () => {
    const run = play('engagement', { refuse: 'engagement.citizen_reports' });
    expect(run.exitCode).toBe(1);
    expect(run.printed.join('\n')).toMatch(
      /engagement\.citizen_reports: refused by the stand-in/,
    );
    expect(
      run.commands.filter((c) => 'shardCollection' in c).length,
    ).toBeGreaterThan(1);
  });
});
