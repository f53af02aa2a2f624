import { describe, expect, it } from 'vitest';
import {
  decodeCursor,
  paginateLoaded,
  type Page,
} from '../../subgraph-kit/pagination.js';

type Item = { _id: string; at: Date };

describe('paginateLoaded', () => {
  const items: Item[] = Array.from({ length: 7 }, (_, i) => ({
    _id: `r-${i}`,
    // Two items share each instant: _id breaks the tie.
    at: new Date(Date.UTC(2026, 10, 20, 10 - Math.floor(i / 2))),
  })).sort(
    (a, b) => b.at.getTime() - a.at.getTime() || (a._id < b._id ? 1 : -1),
  );
  const ids = items.map((i) => i._id);

  it('walks every item once, in order, page by page forward', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: Page<Item> = paginateLoaded(items, { first: 3, after }, 'at');
      seen.push(...page.nodes.map((n) => n._id));
      expect(await page.totalCount()).toBe(7);
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(ids);
  });

  it('walks every item once, page by page backward, each page in list order', () => {
    const pages: string[][] = [];
    let before: string | null = null;
    for (;;) {
      const page: Page<Item> = paginateLoaded(items, { last: 3, before }, 'at');
      pages.unshift(page.nodes.map((n) => n._id));
      expect(page.pageInfo.hasNextPage).toBe(before !== null);
      if (!page.pageInfo.hasPreviousPage) break;
      before = page.pageInfo.startCursor;
    }
    expect(pages.flat()).toEqual(ids);
    expect(pages[0]).toEqual([ids[0]]);
  });

  it('gives each edge the cursor of its node; start and end cursors bound the page', () => {
    const page = paginateLoaded(items, { first: 3 }, 'at');
    expect(page.edges.map((e) => e.node)).toEqual(page.nodes);
    expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor);
    expect(page.pageInfo.endCursor).toBe(page.edges[2]?.cursor);
    const next = paginateLoaded(
      items,
      { first: 1, after: page.edges[0]?.cursor },
      'at',
    );
    expect(next.nodes[0]?._id).toBe(ids[1]);
  });

  it('pages between two cursors', () => {
    const all = paginateLoaded(items, { first: 7 }, 'at');
    const page = paginateLoaded(
      items,
      { after: all.edges[1]?.cursor, before: all.edges[5]?.cursor },
      'at',
    );
    expect(page.nodes.map((n) => n._id)).toEqual(ids.slice(2, 5));
  });

  it('uses the same cursor format as paginate', () => {
    const page = paginateLoaded(items, { first: 1 }, 'at');
    const [value, id] = decodeCursor(page.pageInfo.endCursor ?? '');
    expect(value).toEqual(items[0]?.at);
    expect(id).toBe(items[0]?._id);
  });

  it('answers an empty list with null cursors', () => {
    const page = paginateLoaded([] as Item[], {}, 'at');
    expect(page.pageInfo).toEqual({
      hasNextPage: false,
      hasPreviousPage: false,
      startCursor: null,
      endCursor: null,
    });
  });

  it.each([
    [{ first: 101 }, /"first"/],
    [{ last: 0 }, /"last"/],
    [{ first: 2, last: 2 }, /not both/],
    [{ after: 'nope' }, /"after" is not a cursor/],
    [{ before: 'nope' }, /"before" is not a cursor/],
  ])('rejects %o', (args, message) => {
    expect(() => paginateLoaded(items, args, 'at')).toThrow(message);
  });
});

describe('decodeCursor', () => {
  const encode = (value: unknown) =>
    Buffer.from(JSON.stringify(value)).toString('base64url');

  it('refuses a cursor holding an object or array, which would reach the query as an operand', () => {
    for (const crafted of [
      [{ $gt: '' }, 'x'],
      ['a', ['b']],
      [{ $where: 'sleep(100)' }, 'x'],
    ])
      expect(() => decodeCursor(encode(crafted))).toThrow(
        '"after" is not a cursor returned by this field.',
      );
  });

  it('accepts the scalars and dates its own cursors hold', () => {
    expect(decodeCursor(encode(['a', 'b']))).toEqual(['a', 'b']);
    expect(Number(decodeCursor(encode([1, 'b']))[0])).toBe(1);
    expect(
      decodeCursor(encode([{ $date: '2026-11-20T10:00:00Z' }, 'r-1'])),
    ).toEqual([new Date('2026-11-20T10:00:00Z'), 'r-1']);
  });
});
