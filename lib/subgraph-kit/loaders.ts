/**
 * DataLoader factories shared by the subgraphs: every entity reference and
 * every list-of-references field goes through one, so a subgraph fetch costs
 * one database query per entity type, whatever the list length ([DL]).
 */
import DataLoader from 'dataloader';

/**
 * A loader of one document per key. `fetch` receives the distinct keys of a
 * batch and returns the documents found, in any order; the loader returns
 * them in key order, `null` for a missing key.
 */
export function createByKeyLoader<K extends string, V>(
  fetch: (keys: readonly K[]) => Promise<readonly V[]>,
  keyOf: (value: V) => K,
): DataLoader<K, V | null> {
  return new DataLoader<K, V | null>(async (keys) => {
    const found = await fetch(keys);
    const byKey = new Map<K, V>();
    for (const value of found) byKey.set(keyOf(value), value);
    return keys.map((key) => byKey.get(key) ?? null);
  });
}

/**
 * A loader of the list of documents that share a key (one-to-many, e.g. the
 * readings of a sensor or the businesses of a district): one query for all
 * keys of a batch, an empty list for a key with none.
 */
export function createGroupLoader<K extends string, V>(
  fetch: (keys: readonly K[]) => Promise<readonly V[]>,
  groupOf: (value: V) => K | readonly K[],
): DataLoader<K, V[]> {
  return new DataLoader<K, V[]>(async (keys) => {
    const found = await fetch(keys);
    const groups = new Map<K, V[]>(keys.map((key) => [key, []]));
    for (const value of found) {
      const group = groupOf(value);
      for (const key of (Array.isArray(group)
        ? group
        : [group]) as readonly K[])
        groups.get(key)?.push(value);
    }
    return keys.map((key) => groups.get(key) ?? []);
  });
}

/** The minimal model surface {@link createLatestByKeyLoader} needs (a mongoose Model satisfies it). */
export interface Aggregatable {
  aggregate(pipeline: object[]): { exec(): Promise<unknown[]> };
}

/**
 * A loader of the newest document per key of a time series (e.g. the latest
 * reading of each sensor): one aggregation per batch, `null` for a key
 * without documents.
 */
export function createLatestByKeyLoader<V>(
  model: Aggregatable,
  keyField: string,
  timeField: string,
): DataLoader<string, V | null> {
  return new DataLoader<string, V | null>(async (keys) => {
    const rows = (await model
      .aggregate([
        { $match: { [keyField]: { $in: [...keys] } } },
        // Key first: an index on { key: 1, time: -1 } then reads one entry per key.
        { $sort: { [keyField]: 1, [timeField]: -1 } },
        { $group: { _id: `$${keyField}`, latest: { $first: '$$ROOT' } } },
      ])
      .exec()) as { _id: string; latest: V }[];
    const byKey = new Map(rows.map((row) => [row._id, row.latest]));
    return keys.map((key) => byKey.get(key) ?? null);
  });
}

/**
 * Loads a document that a stored reference says exists (e.g. the sensor of a
 * reading). A missing one is a data-integrity fault, not a client error: it
 * is logged and answered as INTERNAL_SERVER_ERROR.
 */
export async function loadExisting<V>(
  loader: DataLoader<string, V | null>,
  key: string,
  what: string,
): Promise<V> {
  const value = await loader.load(key);
  if (value === null)
    throw new Error(`${what} "${key}" is referenced but missing`);
  return value;
}

/** The minimal model surface {@link createByIdLoader} needs (a mongoose Model satisfies it). */
export interface FindableById {
  find(filter: { _id: { $in: string[] } }): {
    lean(): { exec(): Promise<unknown> };
  };
}

/** A loader of documents by `_id`: one `find` with `$in` per batch, `null` for a missing id. */
export function createByIdLoader<V extends { _id: string }>(
  model: FindableById,
): DataLoader<string, V | null> {
  return createByKeyLoader<string, V>(
    async (ids) =>
      (await model
        .find({ _id: { $in: [...ids] } })
        .lean()
        .exec()) as V[],
    (doc) => doc._id,
  );
}

/** The minimal model surface {@link createGroupByFieldLoader} needs (a mongoose Model satisfies it). */
export interface FindableByField {
  find(filter: Record<string, { $in: string[] }>): {
    sort(order: { _id: 1 }): { lean(): { exec(): Promise<unknown> } };
  };
}

/**
 * A loader of the documents whose `field` equals each key (e.g. the stations
 * of each district), in `_id` order: one `find` with `$in` per batch.
 */
export function createGroupByFieldLoader<V>(
  model: FindableByField,
  field: keyof V & string,
): DataLoader<string, V[]> {
  return createGroupLoader<string, V>(
    async (keys) =>
      (await model
        .find({ [field]: { $in: [...keys] } })
        .sort({ _id: 1 })
        .lean()
        .exec()) as V[],
    (doc) => doc[field] as string,
  );
}
