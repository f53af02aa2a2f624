import { Schema, type Model } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createParentPages,
  type ParentPagesOptions,
} from '../../subgraph-kit/parentPages.js';
import {
  paginate,
  type Page,
  type PageArgs,
} from '../../subgraph-kit/pagination.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../tooling/testing/testDatabase.js';

interface Item {
  _id: string;
  parent: string;
  at: Date;
  kind: string;
}

/** What a page says, with its count: what batched and per-parent pages must agree on. */
async function shape(page: Page<Item>) {
  return {
    ids: page.nodes.map((n) => n._id),
    cursors: page.edges.map((e) => e.cursor),
    pageInfo: page.pageInfo,
    totalCount: await page.totalCount(),
  };
}

describe('createParentPages', () => {
  let db: TestDatabase;
  let model: Model<Item>;
  // Parents with 0, 1, 7 and 23 items; `at` repeats (three items an hour), so
  // `_id` decides the order within an hour, and ids are not in time order.
  const sizes: Record<string, number> = { a: 23, b: 7, c: 1, empty: 0 };
  const parents = [...Object.keys(sizes), 'unknown'];
  const items: Item[] = Object.entries(sizes).flatMap(([parent, n]) =>
    Array.from({ length: n }, (_, i) => ({
      _id: `${parent}-${String((i * 7) % n).padStart(2, '0')}-${i}`,
      parent,
      at: new Date(Date.UTC(2026, 10, 20, Math.floor(i / 3))),
      kind: i % 2 === 0 ? 'even' : 'odd',
    })),
  );
  const byId: ParentPagesOptions = { keyField: 'parent' };
  const newestFirst: ParentPagesOptions = {
    keyField: 'parent',
    sortField: 'at',
    direction: -1,
  };
  const orders: [string, ParentPagesOptions][] = [
    ['by _id', byId],
    ['newest first with ties', newestFirst],
    [
      'oldest first with ties',
      { keyField: 'parent', sortField: 'at', direction: 1 },
    ],
  ];

  beforeAll(async () => {
    db = await startTestDatabase('parent-pages');
    model = db.connection.model<Item>(
      'Item',
      new Schema<Item>({ _id: String, parent: String, at: Date, kind: String }),
    );
    await model.insertMany(items);
  });
  afterAll(() => db.stop());

  const perParent = (
    options: ParentPagesOptions,
    parent: string,
    args: PageArgs,
    filter: Record<string, unknown> = {},
  ) =>
    paginate(model, { ...filter, parent }, args, {
      sortField: options.sortField ?? '_id',
      direction: options.direction ?? 1,
    });

  for (const [name, options] of orders) {
    it(`walks every parent's pages as paginate does (${name}), one aggregation per batch`, async () => {
      for (const filter of [{}, { kind: 'odd' }]) {
        const pages = createParentPages(model, options);
        db.resetCommands();
        const first = await Promise.all(
          parents.map((p) => pages(p, { first: 3 }, filter)),
        );
        expect(db.commands()).toEqual(['aggregate items']);
        const counts = await Promise.all(first.map((p) => p.totalCount()));
        expect(db.commands()).toEqual(['aggregate items', 'aggregate items']);
        expect(counts).toEqual(
          await Promise.all(
            parents.map((p) => perParent(options, p, {}, filter)),
          ).then((all) => Promise.all(all.map((p) => p.totalCount()))),
        );
        for (const [i, parent] of parents.entries()) {
          let batched = first[i] as Page<Item>;
          let expected = await perParent(options, parent, { first: 3 }, filter);
          for (;;) {
            expect(await shape(batched)).toEqual(await shape(expected));
            if (!batched.pageInfo.hasNextPage) break;
            const after = batched.pageInfo.endCursor;
            batched = await pages(parent, { first: 3, after }, filter);
            expected = await perParent(
              options,
              parent,
              { first: 3, after },
              filter,
            );
          }
        }
      }
    });
  }

  it('batches the parents that share a cursor, and answers the others alike', async () => {
    const pages = createParentPages(model, newestFirst);
    const start = await pages('a', { first: 5 });
    const after = start.pageInfo.endCursor;
    db.resetCommands();
    const [a, b] = await Promise.all([
      pages('a', { first: 5, after }),
      pages('b', { first: 5, after }),
      pages('c', { first: 4 }),
    ]);
    expect(db.commands()).toEqual(['aggregate items', 'aggregate items']);
    for (const [parent, page] of [
      ['a', a],
      ['b', b],
    ] as const)
      expect(await shape(page)).toEqual(
        await shape(await perParent(newestFirst, parent, { first: 5, after })),
      );
  });

  it('pages backward per parent, as paginate does', async () => {
    const options = newestFirst;
    const pages = createParentPages(model, options);
    const last = await pages('a', { last: 4 });
    const before = last.pageInfo.startCursor;
    for (const args of [{ last: 4 }, { last: 4, before }, { before }]) {
      expect(await shape(await pages('a', args))).toEqual(
        await shape(await perParent(options, 'a', args)),
      );
    }
  });

  it('refuses bad page arguments with BAD_USER_INPUT as paginate does', async () => {
    const pages = createParentPages(model, byId);
    for (const args of [{ first: 0 }, { first: 1, last: 1 }, { after: 'x' }])
      await expect(pages('a', args)).rejects.toMatchObject({
        extensions: { code: 'BAD_USER_INPUT' },
      });
  });
});
