/**
 * Mobility ingests the transit network from GTFS, as `npm run import` makes
 * entities of a feed's `stops.txt` and `routes.txt` (FIWARE UrbanMobility
 * `GtfsStop` and `GtfsRoute`), or a partner sends them over NGSI. A stop or a
 * route already stored is a duplicate: a feed is re-imported whole and adds
 * nothing the second time. Which lines serve a stop comes from a feed's
 * `stop_times.txt`, which is not taken (docs/ingestion.md, "Files").
 */
import type { Collection } from 'mongodb';
import type {
  EntityHandler,
  IngestedRecord,
} from '../../../../lib/ingest/createIngestPipeline.js';
import {
  textAttribute as text,
  type NgsiEntity,
} from '../../../../lib/ingest/ngsiEntity.js';
import { qualityOf } from '../../../../lib/ingest/quality.js';
import { geoJsonPointOf } from '../../../../lib/subgraph-kit/nearbyLoader.js';
import type {
  MobilityModels,
  TransitLineDoc,
  TransitStopDoc,
} from '../models/index.js';

/** A validated stop, ready to store. */
export interface GtfsStopRecord extends IngestedRecord {
  readonly doc: TransitStopDoc;
}

/** A validated route, ready to store. */
export interface GtfsRouteRecord extends IngestedRecord {
  readonly doc: TransitLineDoc;
}

/**
 * The graph id an entity names: what follows `urn:ngsi-ld:<type>:` (the graph's
 * `ngsiId` of a stop or line is `urn:ngsi-ld:GtfsStop:<graph id>`), if safe as an id.
 */
function graphIdOfEntity(entity: NgsiEntity, type: string): string | null {
  const prefix = `urn:ngsi-ld:${type}:`;
  const id = entity.id.startsWith(prefix) ? entity.id.slice(prefix.length) : '';
  return /^[\w.:-]{1,120}$/.test(id) ? id : null;
}

type StopVerdict = ReturnType<EntityHandler<GtfsStopRecord>['validate']>;
type RouteVerdict = ReturnType<EntityHandler<GtfsRouteRecord>['validate']>;
type Reason = Extract<StopVerdict, { ok: false }>['reason'];
const reject = (reason: Reason, detail: string) =>
  ({ ok: false, reason, detail }) as const;

/** Stores new documents only: an id already there is a duplicate (a re-import). */
async function insertNew<T extends { _id: string }>(
  collection: Collection<T>,
  docs: readonly T[],
): Promise<('created' | 'duplicate')[]> {
  const ids = docs.map((d) => d._id);
  const known = new Set(
    (
      await collection
        .find({ _id: { $in: ids } } as never, { projection: { _id: 1 } })
        .toArray()
    ).map((d) => d._id as string),
  );
  const outcomes = docs.map((doc): 'created' | 'duplicate' => {
    if (known.has(doc._id)) return 'duplicate';
    known.add(doc._id);
    return 'created';
  });
  const fresh = docs.filter((_, i) => outcomes[i] === 'created');
  if (fresh.length > 0) {
    try {
      await collection.insertMany(fresh as never[], { ordered: false });
    } catch (error) {
      // A duplicate key (another import at the same time, or a route whose short
      // name the network already has) is a duplicate, not a failure.
      const writeErrors = (
        error as { writeErrors?: { code?: number; index?: number }[] }
      ).writeErrors;
      if (
        !Array.isArray(writeErrors) ||
        writeErrors.some((e) => e.code !== 11000)
      )
        throw error;
      for (const e of writeErrors) {
        const doc = fresh[e.index ?? -1];
        if (doc) outcomes[docs.indexOf(doc)] = 'duplicate';
      }
    }
  }
  return outcomes;
}

/** The GtfsStop handler over mobility's models. */
export function gtfsStopHandler(
  models: MobilityModels,
): EntityHandler<GtfsStopRecord> {
  const stops = models.TransitStop
    .collection as unknown as Collection<TransitStopDoc>;
  return {
    types: ['GtfsStop'],
    validate(entity, context): StopVerdict {
      const graphId = graphIdOfEntity(entity, 'GtfsStop');
      if (graphId === null)
        return reject(
          'MALFORMED_ENTITY',
          'A GtfsStop id is urn:ngsi-ld:GtfsStop:<stop id>, e.g. gtfs-stop-<stop_id> as npm run import makes it: letters, digits, ".", ":", "_" or "-".',
        );
      const name = text(entity, 'name');
      if (name === null)
        return reject('ATTRIBUTE_TYPE', 'name (stop_name) is required.');
      const geometry = entity.attributes.get('location')?.value as
        { type?: unknown; coordinates?: unknown } | null | undefined;
      const coordinates = geometry?.coordinates;
      if (
        geometry?.type !== 'Point' ||
        !Array.isArray(coordinates) ||
        !Number.isFinite(coordinates[0]) ||
        !Number.isFinite(coordinates[1])
      )
        return reject(
          'INVALID_LOCATION',
          'location (stop_lat, stop_lon) must be a GeoJSON Point of two numbers.',
        );
      const point = {
        lon: coordinates[0] as number,
        lat: coordinates[1] as number,
      };
      if (!context.geography.contains(point))
        return reject(
          'OUTSIDE_CITY',
          `The stop at [${point.lon}, ${point.lat}] is not in Marseille.`,
        );
      const district = context.geography.districtAt(point);
      if (district === null)
        return reject(
          'OUTSIDE_CITY',
          `No arrondissement contains [${point.lon}, ${point.lat}].`,
        );
      return {
        ok: true,
        record: {
          id: graphId,
          entityId: entity.id,
          quality: qualityOf([], 1),
          doc: {
            _id: graphId,
            name: name.slice(0, 200),
            location: point,
            position: geoJsonPointOf(point),
            district,
            lineIds: [],
          },
        },
      };
    },
    store: (records) =>
      insertNew(
        stops,
        records.map((r) => r.doc),
      ),
    event: (record) => ({
      id: `TransitStop:${record.id}`,
      department: 'mobility',
      type: 'transitStop.registered',
      entity: { type: 'TransitStop', id: record.id },
      district: record.doc.district,
      occurredAt: new Date(),
      payload: { name: record.doc.name },
    }),
  };
}

/** GTFS route_type → the graph's mode (0 tram, 1 metro, 3 bus; the extended 9xx/4xx codes are not taken). */
const MODE_OF_ROUTE_TYPE: Readonly<Record<string, TransitLineDoc['mode']>> = {
  '0': 'TRAM',
  '1': 'METRO',
  '3': 'BUS',
};

/** The GtfsRoute handler over mobility's models. */
export function gtfsRouteHandler(
  models: MobilityModels,
): EntityHandler<GtfsRouteRecord> {
  const lines = models.TransitLine
    .collection as unknown as Collection<TransitLineDoc>;
  return {
    types: ['GtfsRoute'],
    validate(entity): RouteVerdict {
      const graphId = graphIdOfEntity(entity, 'GtfsRoute');
      if (graphId === null)
        return reject(
          'MALFORMED_ENTITY',
          'A GtfsRoute id is urn:ngsi-ld:GtfsRoute:<line id>, e.g. gtfs-route-<route_id> as npm run import makes it: letters, digits, ".", ":", "_" or "-".',
        );
      const shortName = text(entity, 'shortName');
      const longName = text(entity, 'name');
      if (shortName === null && longName === null)
        return reject(
          'ATTRIBUTE_TYPE',
          'route_short_name or route_long_name is required.',
        );
      const routeType = text(entity, 'routeType') ?? '';
      const mode = MODE_OF_ROUTE_TYPE[routeType];
      if (mode === undefined)
        return reject(
          'ATTRIBUTE_TYPE',
          `route_type ${JSON.stringify(routeType)} is not one the city runs: 0 (tram), 1 (metro) or 3 (bus).`,
        );
      return {
        ok: true,
        record: {
          id: graphId,
          entityId: entity.id,
          quality: qualityOf(
            shortName === null || longName === null ? ['INCOMPLETE'] : [],
            1,
          ),
          doc: {
            _id: graphId,
            shortName: (shortName ?? longName ?? graphId).slice(0, 50),
            longName: (longName ?? shortName ?? graphId).slice(0, 200),
            mode,
            stopIds: [],
          },
        },
      };
    },
    store: (records) =>
      insertNew(
        lines,
        records.map((r) => r.doc),
      ),
    event: (record) => ({
      id: `TransitLine:${record.id}`,
      department: 'mobility',
      type: 'transitLine.registered',
      entity: { type: 'TransitLine', id: record.id },
      occurredAt: new Date(),
      payload: { shortName: record.doc.shortName, mode: record.doc.mode },
    }),
  };
}
