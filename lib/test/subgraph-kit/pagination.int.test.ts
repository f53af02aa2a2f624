import { Schema } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  paginate,
  type Page,
  type PageArgs,
} from '../../subgraph-kit/pagination.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../tooling/testing/testDatabase.js';

interface Reading {
  _id: string;
  observedAt: Date;
}

describe('paginate', () => {
  let db: TestDatabase;
  // Ten readings, two per hour, so _id breaks ties in the time order.
  const readings: Reading[] = Array.from({ length: 10 }, (_, i) => ({
    _id: `r-${String(i).padStart(2, '0')}`,
    observedAt: new Date(Date.UTC(2026, 10, 20, Math.floor(i / 2))),
  }));
  const newestFirst = [...readings]
    .sort(
      (a, b) =>
        b.observedAt.getTime() - a.observedAt.getTime() ||
        (a._id < b._id ? 1 : -1),
    )
    .map((r) => r._id);
  const model = () =>
    db.connection.models['Reading'] ??
    db.connection.model<Reading>(
      'Reading',
      new Schema<Reading>({ _id: String, observedAt: Date }),
    );
  const page = (args: PageArgs): Promise<Page<Reading>> =>
    paginate(model(), {}, args, { sortField: 'observedAt', direction: -1 });

  beforeAll(async () => {
    db = await startTestDatabase('pagination');
    await model().insertMany(readings);
  });
  afterAll(() => db.stop());

  it('walks forward with first/after and backward with last/before over the same order', async () => {
    const forward: string[] = [];
    let after: string | null = null;
    for (;;) {
      const p: Page<Reading> = await page({ first: 3, after });
      forward.push(...p.edges.map((e) => e.node._id));
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor;
    }
    expect(forward).toEqual(newestFirst);

    const backward: string[][] = [];
    let before: string | null = null;
    for (;;) {
      const p: Page<Reading> = await page({ last: 3, before });
      backward.unshift(p.nodes.map((n) => n._id));
      if (!p.pageInfo.hasPreviousPage) break;
      before = p.pageInfo.startCursor;
    }
    expect(backward.flat()).toEqual(newestFirst);
  });

  it('pages between two cursors and counts the whole filter', async () => {
    const all = await page({ first: 10 });
    const middle = await page({
      after: all.edges[1]?.cursor,
      before: all.edges[6]?.cursor,
    });
    expect(middle.nodes.map((n) => n._id)).toEqual(newestFirst.slice(2, 6));
    expect(middle.pageInfo).toMatchObject({
      hasPreviousPage: true,
      hasNextPage: false,
    });
    expect(await middle.totalCount()).toBe(10);
  });

  it('pages by _id when no sort field is given', async () => {
    const p = await paginate(model(), {}, { last: 2 });
    expect(p.nodes.map((n) => n._id)).toEqual(['r-08', 'r-09']);
    expect(p.pageInfo.hasPreviousPage).toBe(true);
  });
});
