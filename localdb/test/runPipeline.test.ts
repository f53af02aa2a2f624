import type { Document } from 'bson';
import { describe, expect, it } from 'vitest';
import { createAggregator } from '../src/query/mingo.js';
import { runPipeline } from '../src/query/runPipeline.js';
import { YieldPoint } from '../src/query/yieldPoint.js';

describe('runPipeline', () => {
  it('gives what mingo gives in one pass, for a $group merged from chunks and per-document stages run in chunks', async () => {
    const docs: Document[] = Array.from({ length: 3000 }, (_, n) => ({
      _id: n,
      k: `g${n % 37}`,
      v: n % 11 === 0 ? 'not a number' : n % 97,
      tags: [`t${n % 5}`],
      meta: { n },
    }));
    const pipeline: Document[] = [
      {
        $addFields: { double: { $multiply: [{ $ifNull: ['$meta.n', 0] }, 2] } },
      },
      {
        $group: {
          _id: '$k',
          sum: { $sum: '$v' },
          avg: { $avg: '$v' },
          n: { $count: {} },
          lo: { $min: '$double' },
          hi: { $max: '$double' },
          first: { $first: '$_id' },
          last: { $last: '$_id' },
          all: { $push: '$_id' },
          tags: { $addToSet: { $first: '$tags' } },
          merged: { $mergeObjects: '$meta' },
        },
      },
      { $sort: { _id: 1 } },
    ];
    const expected = createAggregator(pipeline).run(docs) as Document[];
    // A slice of 0 ms pauses at every chunk: the most merging there can be.
    const actual = await runPipeline(pipeline, docs, {}, new YieldPoint(0));
    const norm = (rows: Document[]) =>
      rows.map((r) => ({ ...r, tags: [...(r['tags'] as string[])].sort() }));
    expect(norm(actual)).toEqual(norm(expected));
    expect(actual).toHaveLength(37);
  });
});

describe('runPipeline counting', () => {
  it('answers a countDocuments-style $group from the input length, as mingo would', async () => {
    const docs: Document[] = Array.from({ length: 700 }, (_, n) => ({ n }));
    for (const group of [
      { _id: 1, n: { $sum: 1 } },
      { _id: null, n: { $sum: 2 }, m: { $sum: 1 } },
    ]) {
      const pipeline = [{ $group: group }];
      expect(await runPipeline(pipeline, docs, {}, new YieldPoint())).toEqual(
        createAggregator(pipeline).run(docs),
      );
    }
    expect(
      await runPipeline(
        [{ $group: { _id: 1, n: { $sum: 1 } } }],
        [],
        {},
        new YieldPoint(),
      ),
    ).toEqual([]);
  });
});
