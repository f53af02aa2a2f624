/**
 * Operation usage in the governance database: which operations (by
 * normalized-document hash and name), from which client name and version,
 * touched which schema coordinates, counted per hour. Never variable values.
 *
 * Collection `operation_usage`, one document per
 * `{ hour, hash, clientName, clientVersion }`:
 * `{ hour, hash, name, clientName, clientVersion, coordinates[], count, firstSeen, lastSeen }`.
 */
import type { Connection } from 'mongoose';
import type { Collection, Db } from 'mongodb';

/** The collection usage is kept in. */
export const OPERATION_USAGE_COLLECTION = 'operation_usage';

/** One or more executions of an operation, as the gateway hands them over. */
export interface UsageRecord {
  /** sha256 of the normalized operation document. */
  readonly hash: string;
  /** Operation name, null when anonymous. */
  readonly name: string | null;
  /** `apollographql-client-name`, null when unset. */
  readonly clientName: string | null;
  /** `apollographql-client-version`, null when unset. */
  readonly clientVersion: string | null;
  /** `Type.field` coordinates the operation touches. */
  readonly coordinates: readonly string[];
  /** When it was served (the latest execution, when several are counted). */
  readonly at: Date;
  /** How many executions this record stands for. @default 1 */
  readonly count?: number;
}

/** The use of a coordinate by one operation from one client (name + version), over a period. */
export interface OperationUsage {
  readonly hash: string;
  readonly name: string | null;
  readonly clientName: string | null;
  readonly clientVersion: string | null;
  /** Executions in the period. */
  readonly count: number;
  readonly firstSeen: Date;
  readonly lastSeen: Date;
  /** The coordinates of the operation (all of them, not only the one asked about). */
  readonly coordinates: readonly string[];
}

/** Read and write access to recorded usage. */
export interface UsageStore {
  /** Adds records to their hourly buckets (one bulk upsert). */
  record(records: readonly UsageRecord[]): Promise<void>;
  /** Operations and clients that used `coordinate` in the last `sinceDays` days, most used first. */
  usageOf(coordinate: string, sinceDays: number): Promise<OperationUsage[]>;
  /** For each coordinate, the operations and clients that used it in the last `sinceDays` days. */
  operationsUsing(
    coordinates: readonly string[],
    sinceDays: number,
  ): Promise<Map<string, OperationUsage[]>>;
  /** Creates the collection's indexes (idempotent). */
  ensureIndexes(): Promise<void>;
}

/** Options of {@link createUsageStore}. */
export interface UsageStoreOptions {
  /** @default 'operation_usage' */
  collectionName?: string;
  /** Clock, for tests. @default () => new Date() */
  now?: () => Date;
}

interface UsageDocument {
  hour: Date;
  hash: string;
  name: string | null;
  clientName: string | null;
  clientVersion: string | null;
  coordinates: string[];
  count: number;
  firstSeen: Date;
  lastSeen: Date;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Truncates a date to the start of its UTC hour. */
export function hourOf(date: Date): Date {
  return new Date(Math.floor(date.getTime() / HOUR_MS) * HOUR_MS);
}

function toDb(target: Connection | Db): Db {
  // A mongoose Connection hands out the driver's Db of its own database.
  if ('getClient' in target && typeof target.getClient === 'function') {
    return target.getClient().db(target.name);
  }
  return target as Db;
}

function groupUsage(documents: readonly UsageDocument[]): OperationUsage[] {
  const byKey = new Map<
    string,
    { -readonly [K in keyof OperationUsage]: OperationUsage[K] }
  >();
  for (const doc of documents) {
    const key = JSON.stringify([doc.hash, doc.clientName, doc.clientVersion]);
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, {
        hash: doc.hash,
        name: doc.name,
        clientName: doc.clientName ?? null,
        clientVersion: doc.clientVersion ?? null,
        count: doc.count,
        firstSeen: doc.firstSeen,
        lastSeen: doc.lastSeen,
        coordinates: [...doc.coordinates],
      });
      continue;
    }
    seen.count += doc.count;
    if (doc.firstSeen < seen.firstSeen) seen.firstSeen = doc.firstSeen;
    if (doc.lastSeen > seen.lastSeen) seen.lastSeen = doc.lastSeen;
    seen.coordinates = [
      ...new Set([...seen.coordinates, ...doc.coordinates]),
    ].sort();
  }
  return [...byKey.values()].sort(
    (a, b) => b.count - a.count || b.lastSeen.getTime() - a.lastSeen.getTime(),
  );
}

/**
 * Creates the usage store over the governance database, given as a mongoose
 * connection or a driver `Db`.
 */
export function createUsageStore(
  target: Connection | Db,
  options: UsageStoreOptions = {},
): UsageStore {
  const db = toDb(target);
  const collection: Collection<UsageDocument> = db.collection<UsageDocument>(
    options.collectionName ?? OPERATION_USAGE_COLLECTION,
  );
  const now = options.now ?? (() => new Date());

  const find = async (
    coordinates: readonly string[],
    sinceDays: number,
  ): Promise<UsageDocument[]> => {
    const since = hourOf(new Date(now().getTime() - sinceDays * DAY_MS));
    return collection
      .find(
        { coordinates: { $in: [...coordinates] }, hour: { $gte: since } },
        { projection: { _id: 0 } },
      )
      .toArray();
  };

  return {
    async record(records) {
      if (records.length === 0) return;
      await collection.bulkWrite(
        records.map((record) => ({
          updateOne: {
            filter: {
              hour: hourOf(record.at),
              hash: record.hash,
              clientName: record.clientName,
              clientVersion: record.clientVersion,
            },
            update: {
              $inc: { count: record.count ?? 1 },
              $max: { lastSeen: record.at },
              $min: { firstSeen: record.at },
              $set: { name: record.name },
              $addToSet: { coordinates: { $each: [...record.coordinates] } },
            },
            upsert: true,
          },
        })),
        { ordered: false },
      );
    },

    async usageOf(coordinate, sinceDays) {
      return groupUsage(await find([coordinate], sinceDays));
    },

    async operationsUsing(coordinates, sinceDays) {
      const result = new Map<string, OperationUsage[]>();
      if (coordinates.length === 0) return result;
      const documents = await find(coordinates, sinceDays);
      for (const coordinate of coordinates) {
        result.set(
          coordinate,
          groupUsage(
            documents.filter((doc) => doc.coordinates.includes(coordinate)),
          ),
        );
      }
      return result;
    },

    async ensureIndexes() {
      await collection.createIndex(
        { hour: 1, hash: 1, clientName: 1, clientVersion: 1 },
        { unique: true },
      );
      await collection.createIndex({ coordinates: 1, hour: -1 });
    },
  };
}
