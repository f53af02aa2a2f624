import { ObjectId, type Document } from 'bson';
import { describe, expect, it } from 'vitest';
import { createQuery } from '../src/query/mingo.js';
import { explainPlan, planFind } from '../src/query/planFind.js';
import { runFind } from '../src/query/runFind.js';
import { compileSort } from '../src/query/sortDocuments.js';
import { BTree } from '../src/storage/BTree.js';
import { Collection } from '../src/storage/Collection.js';
import { compareValues, toIndexValue } from '../src/storage/compareValues.js';
import {
  Index,
  type RangeBound,
  type ScanBounds,
} from '../src/storage/Index.js';
import { keyOf } from '../src/storage/keyOf.js';
import { compareKeys, rng } from './keyOracle.js';

function makeCollection(docs: Document[], indexes: Document[]): Collection {
  const coll = new Collection('t', 'c', {}, () => undefined);
  for (const spec of indexes) coll.createIndex(spec);
  for (const d of docs) coll.insert(d);
  return coll;
}

/** A key as an index compares it: documents as DocKeys. */
function toIndexKey(key: readonly unknown[]): unknown[] {
  return key.map((v) =>
    typeof v === 'object' && v !== null && v.constructor === Object
      ? toIndexValue(v as Document)
      : v,
  );
}

function oracle(
  docs: Document[],
  filter: Document,
  sort: Document | undefined,
  skip: number,
  limit: number,
): Document[] {
  let out = createQuery(filter).find(docs).all() as Document[];
  // MongoDB's sort (array fields by their smallest/largest element), which mingo's
  // cursor sort is not; sortDocuments has its own tests (arraySort.int.test.ts).
  const sorter = sort === undefined ? undefined : compileSort(sort);
  if (sorter !== undefined) out = sorter(out);
  return out.slice(skip, limit > 0 ? skip + limit : undefined);
}

describe('BTree', { timeout: 60_000 }, () => {
  it('keeps entries in order through random inserts and deletes, scanning both ways from any seek', () => {
    const next = rng(7);
    const tree = new BTree<number>((a, b) => a - b);
    const model = new Set<number>();
    for (let i = 0; i < 8000; i += 1) {
      const v = Math.floor(next() * 5000);
      if (next() < 0.35) {
        expect(tree.delete(v)).toBe(model.delete(v));
      } else {
        expect(tree.insert(v)).toBe(!model.has(v));
        model.add(v);
      }
    }
    const sorted = [...model].sort((a, b) => a - b);
    expect(tree.size).toBe(sorted.length);
    expect([...tree.ascending()]).toEqual(sorted);
    expect([...tree.descending()]).toEqual([...sorted].reverse());
    for (let i = 0; i < 200; i += 1) {
      const from = Math.floor(next() * 5200) - 100;
      expect([...tree.ascending((e) => e < from)]).toEqual(
        sorted.filter((e) => e >= from),
      );
      expect([...tree.descending((e) => e > from)]).toEqual(
        sorted.filter((e) => e <= from).reverse(),
      );
    }
  });
});

describe('index scan paused across writes', () => {
  it('re-seeks past the last entry it gave: no entry twice, none out of order, new ones after it seen', () => {
    const index = new Index({ key: { n: 1 }, name: 'n_1' });
    for (let i = 0; i < 5000; i += 2) index.add([[i]], `id${i}`);
    const scan = index.scan({ prefix: [] }, 1);
    const seen: number[] = [];
    for (let step = 0; step < 100; step += 1) {
      for (let k = 0; k < 10; k += 1) {
        const next = scan.next();
        if (next.done === true) break;
        seen.push(next.value.key[0] as number);
      }
      // Between steps, writes split leaves around the cursor and remove what is ahead.
      const at = seen[seen.length - 1] ?? 0;
      for (let j = 1; j < 40; j += 2) index.add([[at + j]], `id${at + j}`);
      index.remove([[at + 2]], `id${at + 2}`);
    }
    for (let next = scan.next(); next.done !== true; next = scan.next())
      seen.push(next.value.key[0] as number);
    for (let i = 1; i < seen.length; i += 1)
      expect(seen[i] as number).toBeGreaterThan(seen[i - 1] as number);
    expect(seen).toContain(4998);
  });
});

describe('index scan bounds', () => {
  // Values with and without a flat key (see flatKey), so entries and bounds compare
  // by string, by value, and the one against the other.
  const VALUES: unknown[] = [
    null,
    -2,
    0,
    1.5,
    7,
    '',
    'a',
    'ab',
    'b',
    'x'.repeat(300),
    'a\u0000b',
    new Date(0),
    new Date(1_700_000_000_000),
    new ObjectId('65f0a0a0a0a0a0a0a0a0a0a0'),
    { d: 1 },
    true,
  ];

  function inBounds(key: readonly unknown[], bounds: ScanBounds): boolean {
    const k = bounds.prefix.length;
    for (let i = 0; i < k; i += 1)
      if (compareValues(key[i], bounds.prefix[i]) !== 0) return false;
    const v = key[k];
    const { lo, hi } = bounds;
    if (lo !== undefined) {
      const c = compareValues(v, lo.value);
      if (c < 0 || (c === 0 && !lo.inclusive)) return false;
    }
    if (hi !== undefined) {
      const c = compareValues(v, hi.value);
      if (c > 0 || (c === 0 && !hi.inclusive)) return false;
    }
    return true;
  }

  it('scans and takes what a filter of the sorted entries gives, for random bounds in both directions', () => {
    const next = rng(99);
    const pick = (): unknown =>
      VALUES[Math.floor(next() * VALUES.length)] as unknown;
    for (let round = 0; round < 40; round += 1) {
      const dirs: Array<1 | -1> = [
        next() < 0.5 ? 1 : -1,
        next() < 0.5 ? 1 : -1,
      ];
      const index = new Index({ key: { a: dirs[0], b: dirs[1] } });
      const keys = new Map<string, unknown[]>();
      for (let i = 0; i < 150; i += 1) {
        const key = [pick(), pick()];
        keys.set(`id${i}`, key);
        index.add([key], `id${i}`);
      }
      const sorted = [...keys].sort(
        ([ia, a], [ib, b]) =>
          compareKeys(toIndexKey(a), toIndexKey(b), dirs) ||
          (ia < ib ? -1 : ia > ib ? 1 : 0),
      );
      for (let q = 0; q < 60; q += 1) {
        const prefix = next() < 0.7 ? [pick()] : [];
        const bound = (): RangeBound | undefined =>
          next() < 0.5 ? undefined : { value: pick(), inclusive: next() < 0.5 };
        const bounds: ScanBounds = { prefix, lo: bound(), hi: bound() };
        const want = sorted
          .filter(([, key]) => inBounds(key, bounds))
          .map(([id]) => id);
        for (const direction of [1, -1] as const) {
          const ordered = direction === 1 ? want : [...want].reverse();
          const label = JSON.stringify({ dirs, bounds, direction });
          expect(
            [...index.scan(bounds, direction)].map((e) => e.id),
            label,
          ).toEqual(ordered);
          const max = 1 + Math.floor(next() * 5);
          expect(
            index.take(bounds, direction, max).map((e) => e.id),
            label,
          ).toEqual(ordered.slice(0, max));
        }
      }
    }
  });
});

describe('ordered index and planner', { timeout: 60_000 }, () => {
  const next = rng(42);
  const pick = <T>(xs: readonly T[]): T =>
    xs[Math.floor(next() * xs.length)] as T;
  const docs: Document[] = Array.from({ length: 600 }, (_, u) => ({
    _id: u,
    a: next() < 0.05 ? null : Math.floor(next() * 12),
    b: Math.floor(next() * 40),
    t: new Date(Date.UTC(2026, 0, 1) + Math.floor(next() * 1000) * 60_000),
    s: pick(['Noailles', 'Belsunce', 'Le Panier', 'Vauban', 'Saint-Just']),
    u,
  }));
  const coll = makeCollection(docs, [
    { key: { a: 1, b: -1, u: 1 }, name: 'a_b_u' },
    { key: { s: 1, t: -1 }, name: 's_t' },
  ]);

  function randomFilter(): Document {
    const f: Document = {};
    const r = next();
    if (r < 0.3) f['a'] = Math.floor(next() * 12);
    else if (r < 0.45)
      f['a'] = { $in: [Math.floor(next() * 12), Math.floor(next() * 12)] };
    else if (r < 0.6) f['a'] = { $gte: Math.floor(next() * 12) };
    else if (r < 0.7) f['a'] = null;
    const q = next();
    if (q < 0.3) f['b'] = { $gt: Math.floor(next() * 40) };
    else if (q < 0.5)
      f['b'] = {
        $gte: Math.floor(next() * 20),
        $lt: 20 + Math.floor(next() * 20),
      };
    else if (q < 0.6) f['b'] = { $ne: 3 };
    if (next() < 0.3) f['s'] = pick(['Noailles', 'Vauban', 'Le Panier']);
    if (next() < 0.2)
      f['t'] = { $lt: new Date(Date.UTC(2026, 0, 1) + 500 * 60_000) };
    return f;
  }

  it('returns what a collection scan returns, in the same order, for random queries', () => {
    const sorts: Array<Document | undefined> = [
      undefined,
      { a: 1, b: -1, u: 1 },
      { a: -1, b: 1, u: -1 },
      { b: -1, u: 1 },
      { s: 1, t: -1, u: 1 },
      { s: -1, t: 1, u: 1 },
      { t: -1, u: 1 },
      { u: -1 },
      { _id: -1 },
    ];
    for (let i = 0; i < 400; i += 1) {
      const filter = randomFilter();
      const sort = pick(sorts);
      const skip = next() < 0.3 ? Math.floor(next() * 5) : 0;
      const limit = next() < 0.6 ? 1 + Math.floor(next() * 20) : 0;
      const got = runFind(coll, filter, { sort, skip, limit });
      const want = oracle(docs, filter, sort, skip, limit);
      if (sort === undefined) {
        // Natural order is not defined once an index is used: same documents.
        if (limit === 0 && skip === 0)
          expect(got.map((d) => d['_id']).sort()).toEqual(
            want.map((d) => d['_id']).sort(),
          );
        else expect(got.length).toBe(want.length);
      } else {
        expect(
          got.map((d) => d['_id']),
          JSON.stringify({ filter, sort, skip, limit }),
        ).toEqual(want.map((d) => d['_id']));
      }
    }
  });

  it('answers multikey indexes like a scan, each document once', () => {
    const mk = Array.from({ length: 300 }, (_, u) => ({
      _id: u,
      tags: Array.from({ length: Math.floor(next() * 4) }, () =>
        Math.floor(next() * 10),
      ),
      u,
    }));
    const c = makeCollection(mk, [{ key: { tags: 1 } }]);
    for (let i = 0; i < 150; i += 1) {
      const lo = Math.floor(next() * 10);
      const filter = pick<Document>([
        { tags: lo },
        { tags: { $gt: lo, $lt: lo + 3 } },
        { tags: { $in: [lo, lo + 1] } },
        { tags: { $lte: lo } },
      ]);
      const sort = pick<Document | undefined>([undefined, { tags: 1, u: 1 }]);
      const got = runFind(c, filter, { sort });
      const want = oracle(mk, filter, sort, 0, 0);
      expect(new Set(got.map((d) => d['_id'])).size).toBe(got.length);
      if (sort === undefined)
        expect(got.map((d) => d['_id']).sort()).toEqual(
          want.map((d) => d['_id']).sort(),
        );
      else expect(got.map((d) => d['_id'])).toEqual(want.map((d) => d['_id']));
    }
  });

  it('plans the latest reading of one sensor as a backward scan of { s, t } that stops at the limit', () => {
    const plan = planFind(coll, { s: 'Vauban' }, { t: -1 });
    expect(plan.index?.name).toBe('s_t');
    expect(plan.sortProvided).toBe(true);
    expect(plan.exact).toBe(true);
    expect(explainPlan(plan)).toMatchObject({
      stage: 'FETCH',
      inputStage: { stage: 'IXSCAN', indexName: 's_t', direction: 'forward' },
    });
    const reversed = planFind(coll, { s: 'Vauban' }, { t: 1 });
    expect(reversed.direction).toBe(-1);
  });

  it('prefers the index matching more of the filter, uses _id lookups, scans when nothing fits, and obeys hint', () => {
    expect(planFind(coll, { a: 3, b: { $gt: 4 } }, undefined).index?.name).toBe(
      'a_b_u',
    );
    expect(planFind(coll, { _id: 3 }, undefined).ids).toEqual([3]);
    expect(planFind(coll, { b: 3 }, undefined).index).toBeUndefined();
    expect(planFind(coll, { a: 3 }, undefined, 's_t').index?.name).toBe('s_t');
    expect(
      planFind(coll, { a: 3 }, undefined, { s: 1, t: -1 }).index?.name,
    ).toBe('s_t');
    expect(
      planFind(coll, { a: 3 }, undefined, { $natural: 1 }).index,
    ).toBeUndefined();
    expect(() => planFind(coll, {}, undefined, 'nope')).toThrow(/hint/);
  });

  it('reads only the first n documents per value for a $group taking $firstN, with the same result', () => {
    const filter = { s: { $in: ['Noailles', 'Vauban', 'Le Panier'] } };
    const sort = { s: 1, t: -1 };
    const perValue = runFind(coll, filter, {
      sort,
      firstPerValue: { field: 's', n: 3 },
    });
    const all = runFind(coll, filter, { sort });
    const firstThree = ['Le Panier', 'Noailles', 'Vauban'].flatMap((name) =>
      all.filter((d) => d['s'] === name).slice(0, 3),
    );
    expect(perValue.map((d) => d['_id'])).toEqual(
      firstThree.map((d) => d['_id']),
    );
  });

  it('keeps unique and partial indexes working', () => {
    const c = makeCollection(
      [
        { _id: 1, email: 'a@x', active: true },
        { _id: 2, email: 'a@x', active: false },
      ],
      [
        {
          key: { email: 1 },
          name: 'email_active',
          unique: true,
          partialFilterExpression: { active: true },
        },
      ],
    );
    expect(() => c.insert({ _id: 3, email: 'a@x', active: true })).toThrow(
      /E11000/,
    );
    c.insert({ _id: 4, email: 'a@x', active: false });
    expect(runFind(c, { email: 'a@x' }).map((d) => d['_id'])).toEqual([
      1, 2, 4,
    ]);
  });
});

describe('compareValues on documents and arrays', () => {
  it('orders documents field by field (value type, name, value) and arrays element by element, equal exactly when keyOf is', () => {
    const ordered: unknown[] = [
      {},
      { a: null },
      { a: 1 },
      { a: 1, b: 1 },
      { a: 2 },
      { b: 2 },
      { a: 'x' },
      { a: { z: 1 } },
      [],
      [1],
      [1, 2],
      [2],
      ['a'],
    ];
    for (const [i, x] of ordered.entries())
      for (const [j, y] of ordered.entries()) {
        const c = Math.sign(compareValues(x, y));
        expect([x, y, c]).toEqual([x, y, Math.sign(i - j)]);
        expect(c === 0).toBe(keyOf(x) === keyOf(y));
        // As an index holds documents (DocKeys), on both sides or one: the same order.
        for (const [p, q] of [
          [toIndexValue(x), toIndexValue(y)],
          [toIndexValue(x), y],
          [x, toIndexValue(y)],
          [toIndexValue({ k: x }), toIndexValue({ k: y })],
        ])
          expect([x, y, Math.sign(compareValues(p, q))]).toEqual([x, y, c]);
      }
    expect(compareValues({ id: 'a', d: 1 }, { id: 'a', d: 1.0 })).toBe(0);
    expect(compareValues({ id: 'a', d: 1 }, { d: 1, id: 'a' })).not.toBe(0);
  });

  it('finds a time series meta document through its meta/time index', () => {
    const coll = makeCollection(
      Array.from({ length: 200 }, (_, i) => ({
        _id: i,
        device: { id: `d${i % 7}`, district: `1320${i % 3}` },
        t: new Date(i * 1000),
      })),
      [{ key: { device: 1, t: 1 }, name: 'device_1_t_1' }],
    );
    const filter = { device: { id: 'd3', district: '13200' } };
    const got = runFind(coll, filter, { sort: { device: 1, t: 1 } });
    expect(got.map((d) => d['_id'])).toEqual(
      oracle([...coll.values()], filter, { t: 1 }, 0, 0).map((d) => d['_id']),
    );
    expect(got.length).toBeGreaterThan(0);
    // Removed and replaced documents leave the index: their entries are found by value.
    for (const d of [...coll.values()])
      if ((d['_id'] as number) % 2 === 0) coll.remove(d);
    const old = coll.getById(3) as Document;
    coll.replace(old, { ...old, device: { id: 'd9', district: '13209' } });
    const index = coll.indexByName('device_1_t_1') as Index;
    expect(index.entryCount).toBe(coll.size);
    const after = runFind(coll, filter, { sort: { device: 1, t: 1 } });
    expect(after.map((d) => d['_id'])).toEqual(
      oracle([...coll.values()], filter, { t: 1 }, 0, 0).map((d) => d['_id']),
    );
    expect(
      runFind(coll, { device: { id: 'd9', district: '13209' } }, {}).map(
        (d) => d['_id'],
      ),
    ).toEqual([3]);
  });
});
