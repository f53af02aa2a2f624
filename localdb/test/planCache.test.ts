import type { Document } from 'bson';
import { describe, expect, it } from 'vitest';
import { planFind, planFindUncached } from '../src/query/planFind.js';
import { runFind } from '../src/query/runFind.js';
import { Collection } from '../src/storage/Collection.js';

function makeCollection(docs: Document[], indexes: Document[]): Collection {
  const coll = new Collection('t', 'c', {}, () => undefined);
  for (const spec of indexes) coll.createIndex(spec);
  for (const d of docs) coll.insert(d);
  return coll;
}

const docs = Array.from({ length: 60 }, (_, n) => ({
  _id: n,
  sensor: `s${n % 6}`,
  zone: n % 3,
  at: new Date(Date.UTC(2026, 0, 1) + n * 60_000),
  tag: `t${n % 4}`,
}));

describe('the plan cache', () => {
  it('plans each equality shape as the planner does, whatever the values', () => {
    const coll = makeCollection(docs, [
      { key: { sensor: 1, at: -1 }, name: 'sensor_at' },
      { key: { zone: 1, tag: 1 }, name: 'zone_tag' },
      { key: { tag: 1 }, name: 'tag_u', unique: false },
    ]);
    const cases: Array<[Document, Document | undefined]> = [
      [{ sensor: 's1' }, { at: -1 }],
      [{ sensor: 's2' }, { at: 1 }],
      [{ sensor: 's3' }, undefined],
      [{ sensor: 's1', zone: 1 }, { at: -1 }],
      [{ zone: 2 }, { tag: 1 }],
      [{ zone: 1, tag: 't1' }, undefined],
      [{ tag: 't2' }, { _id: -1 }],
      [{ _id: 7 }, undefined],
      [{ _id: 8, sensor: 's2' }, { at: -1 }],
      [{ at: new Date(Date.UTC(2026, 0, 1)) }, undefined],
      [{}, { at: -1 }],
      [{ open: true }, undefined],
    ];
    // Twice each, with other values the second time: the second plan comes from the cache.
    for (const round of [0, 1])
      for (const [filter, sort] of cases) {
        const f = Object.fromEntries(
          Object.entries(filter).map(([k, v]) =>
            round === 1 && typeof v === 'string' ? [k, `${v}x`] : [k, v],
          ),
        );
        expect(planFind(coll, f, sort)).toEqual(
          planFindUncached(coll, f, sort),
        );
      }
  });

  it('plans again once the indexes change', () => {
    const coll = makeCollection(docs, []);
    expect(planFind(coll, { sensor: 's1' }, { at: -1 }).index).toBeUndefined();
    coll.createIndex({ key: { sensor: 1, at: -1 }, name: 'sensor_at' });
    expect(planFind(coll, { sensor: 's1' }, { at: -1 }).index?.name).toBe(
      'sensor_at',
    );
    coll.dropIndex('sensor_at');
    expect(planFind(coll, { sensor: 's1' }, { at: -1 }).index).toBeUndefined();
  });

  it('plans again once an index becomes multikey, and the sort stays right', () => {
    const coll = makeCollection(docs, [
      { key: { sensor: 1, at: -1 }, name: 'sensor_at' },
    ]);
    expect(planFind(coll, { sensor: 's1' }, { at: -1 })).toMatchObject({
      sortProvided: true,
      exact: true,
    });
    // An array of dates: the index now holds several keys for one document.
    coll.insert({
      _id: 100,
      sensor: 's1',
      at: [new Date(Date.UTC(2025, 0, 1)), new Date(Date.UTC(2027, 0, 1))],
    });
    const plan = planFind(coll, { sensor: 's1' }, { at: -1 });
    expect(plan).toEqual(planFindUncached(coll, { sensor: 's1' }, { at: -1 }));
    expect(plan.sortProvided).toBe(false);
    // The same find on a collection planned for the first time (no template) agrees.
    const fresh = makeCollection(docs, [
      { key: { sensor: 1, at: -1 }, name: 'sensor_at' },
    ]);
    fresh.insert({
      _id: 100,
      sensor: 's1',
      at: [new Date(Date.UTC(2025, 0, 1)), new Date(Date.UTC(2027, 0, 1))],
    });
    const find = (c: Collection) =>
      runFind(c, { sensor: 's1' }, { sort: { at: -1 }, limit: 3 });
    expect(find(coll)).toEqual(find(fresh));
  });
});
