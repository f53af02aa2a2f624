/**
 * Engagement ingests FIWARE Open311 service requests (Smart Data Model
 * `dataModel.IssueTracking/Open311_ServiceRequest`, type `Open311ServiceRequest`,
 * formerly `ServiceRequest`) as citizen reports, with their own status and
 * dates, so historical reports import as they were: a report already stored
 * is replaced only by a version updated later (`updated_datetime`); the same
 * version again, or an older one, changes nothing.
 */
import type { Collection } from 'mongodb';
import { versionOf } from '../../../../lib/subgraph-kit/versioning.js';
import type {
  EntityHandler,
  IngestedRecord,
} from '../../../../lib/ingest/createIngestPipeline.js';
import {
  graphIdOf,
  textAttribute as text,
} from '../../../../lib/ingest/ngsiEntity.js';
import { parseObservationTime } from '../../../../lib/ingest/observationTime.js';
import { qualityOf, type QualityFlag } from '../../../../lib/ingest/quality.js';
import type { CitizenReportDoc, EngagementModels } from '../models/index.js';
import { TRAFFIC_LIGHT_ID, WATER_METER_ID } from '../foreignIds.js';
import { findServiceType } from '../serviceTypes.js';

/** A validated service request, ready to store. */
export interface ServiceRequestRecord extends IngestedRecord {
  readonly doc: CitizenReportDoc;
}

/** A service_request_id the graph can use as an id. */
const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;

type Verdict = ReturnType<EntityHandler<ServiceRequestRecord>['validate']>;

const reject = (
  reason: Extract<Verdict, { ok: false }>['reason'],
  detail: string,
): Verdict => ({ ok: false, reason, detail });

/** The service request handler over engagement's models. */
export function serviceRequestHandler(
  models: EngagementModels,
): EntityHandler<ServiceRequestRecord> {
  const reports = models.CitizenReport
    .collection as unknown as Collection<CitizenReportDoc>;
  return {
    types: ['Open311ServiceRequest', 'ServiceRequest'],
    validate(entity, context) {
      const flags: QualityFlag[] = [];
      const id =
        text(entity, 'service_request_id', 'serviceRequestId') ??
        graphIdOf(entity.id);
      if (!REQUEST_ID.test(id))
        return reject(
          'MALFORMED_ENTITY',
          `service_request_id "${id.slice(0, 100)}" must be 1 to 80 letters, digits, ".", "_" or "-".`,
        );
      const serviceCode = text(entity, 'service_code', 'serviceCode');
      const serviceType =
        serviceCode === null ? undefined : findServiceType(serviceCode);
      if (!serviceType)
        return reject(
          'UNKNOWN_SERVICE_CODE',
          `service_code ${JSON.stringify(serviceCode)} is not one of the city's Open311 services (Query.serviceTypes).`,
        );
      const description = text(entity, 'description');
      if (
        description === null ||
        description.length < 10 ||
        description.length > 2000
      )
        return reject(
          'ATTRIBUTE_TYPE',
          'description must be a text of 10 to 2,000 characters.',
        );
      const status = text(entity, 'status')?.toLowerCase();
      if (status !== 'open' && status !== 'closed')
        return reject(
          'ATTRIBUTE_TYPE',
          'status must be "open" or "closed" (Open311).',
        );

      const timeOf = (names: string[]) => {
        const raw = text(entity, ...names);
        if (raw === null) return null;
        const time = parseObservationTime(raw);
        if (time?.zoneAssumed) flags.push('TIMEZONE_ASSUMED');
        return time?.observedAt ?? undefined;
      };
      const requested = timeOf(['requested_datetime', 'dateCreated']);
      if (!requested)
        return reject(
          'INVALID_TIME',
          'requested_datetime must be an ISO 8601 date-time.',
        );
      const updated = timeOf(['updated_datetime', 'dateModified']);
      if (updated === undefined)
        return reject(
          'INVALID_TIME',
          'updated_datetime must be an ISO 8601 date-time.',
        );
      const updatedAt = updated ?? requested;
      if (updatedAt < requested)
        return reject(
          'INVALID_TIME',
          'updated_datetime cannot precede requested_datetime.',
        );
      const latest = context.receivedAt.getTime() + context.maxClockSkewMs;
      if (updatedAt.getTime() > latest)
        return reject(
          'FUTURE_TIME',
          `${updatedAt.toISOString()} is in the future.`,
        );

      // GeoJSON [longitude, latitude]; a swapped pair that lands in the city is fixed.
      const geometry = entity.attributes.get('location')?.value as
        { type?: unknown; coordinates?: unknown } | undefined;
      const coordinates = geometry?.coordinates;
      if (
        geometry?.type !== 'Point' ||
        !Array.isArray(coordinates) ||
        typeof coordinates[0] !== 'number' ||
        typeof coordinates[1] !== 'number'
      )
        return reject(
          'INVALID_LOCATION',
          'location must be a GeoJSON Point [longitude, latitude].',
        );
      const [x, y] = coordinates as [number, number];
      let location = { lat: y, lon: x };
      if (!context.geography.contains(location)) {
        const swapped = { lat: x, lon: y };
        if (!context.geography.contains(swapped))
          return reject(
            'OUTSIDE_CITY',
            `The location [${x}, ${y}] (longitude, latitude) is not in Marseille.`,
          );
        location = swapped;
        flags.push('COORDINATES_SWAPPED');
      }
      const district = context.geography.districtAt(location);
      if (district === null)
        return reject(
          'OUTSIDE_CITY',
          'The location is not in a district of Marseille.',
        );

      // The asset reported on (a city extension: refAsset or refDevice).
      const asset = text(entity, 'refAsset', 'refDevice');
      const assetId = asset === null ? null : graphIdOf(asset);
      let trafficLightId: string | null = null;
      let waterMeterId: string | null = null;
      if (assetId !== null) {
        if (
          serviceType.assetType === 'TrafficLight' &&
          TRAFFIC_LIGHT_ID.test(assetId)
        )
          trafficLightId = assetId;
        else if (
          serviceType.assetType === 'WaterMeter' &&
          WATER_METER_ID.test(assetId)
        )
          waterMeterId = assetId;
        else
          return reject(
            'ATTRIBUTE_TYPE',
            `${assetId} is not a ${serviceType.assetType ?? 'city asset'} a ${serviceType.serviceCode} report may refer to.`,
          );
      }

      const firstName = text(entity, 'first_name');
      const lastName = text(entity, 'last_name');
      const reporterName =
        [firstName, lastName].filter((n) => n !== null).join(' ') || null;
      const doc: CitizenReportDoc = {
        _id: id,
        serviceCode: serviceType.serviceCode,
        serviceName: text(entity, 'service_name') ?? serviceType.serviceName,
        description,
        status,
        statusNotes: text(entity, 'status_notes')?.slice(0, 1000) ?? null,
        agencyResponsible:
          text(entity, 'agency_responsible') ?? serviceType.agencyResponsible,
        requestedDatetime: requested,
        updatedDatetime: updatedAt,
        address:
          text(entity, 'address', 'address_string')?.slice(0, 200) ?? null,
        district,
        location,
        trafficLightId,
        waterMeterId,
        reporterName: reporterName?.slice(0, 100) ?? null,
        reporterEmail:
          text(entity, 'email')?.toLowerCase().slice(0, 254) ?? null,
        reporterPhone: text(entity, 'phone')?.slice(0, 30) ?? null,
        submittedBy: context.source.id,
        source: context.source,
        receivedAt: context.receivedAt,
      };
      return {
        ok: true,
        record: { id, entityId: entity.id, quality: qualityOf(flags, 1), doc },
      };
    },

    async store(records) {
      // One version per report: the latest `updatedDatetime` wins, in the
      // batch and against what is stored.
      const held = await reports
        .find(
          { _id: { $in: records.map((r) => r.id) } },
          { projection: { _id: 1, updatedDatetime: 1, version: 1 } },
        )
        .toArray();
      const stored = new Map(
        held.map((d) => [d._id, d.updatedDatetime.getTime()]),
      );
      // A newer version from the partner is a change like any other: one
      // version up, so a client's expectedVersion taken before it is stale
      // (docs/workflows.md).
      const storedVersions = new Map(held.map((d) => [d._id, versionOf(d)]));
      const newest = new Map<string, number>();
      records.forEach(({ doc }, index) => {
        const best = newest.get(doc._id);
        const bestAt =
          best === undefined
            ? -1
            : (records[best]?.doc.updatedDatetime.getTime() ?? -1);
        if (doc.updatedDatetime.getTime() > bestAt) newest.set(doc._id, index);
      });
      const outcomes = records.map(
        ({ doc }, index): 'created' | 'duplicate' => {
          const held = stored.get(doc._id);
          return newest.get(doc._id) === index &&
            (held === undefined || held < doc.updatedDatetime.getTime())
            ? 'created'
            : 'duplicate';
        },
      );
      const writes = records
        .filter((_, index) => outcomes[index] === 'created')
        .map(({ doc }) =>
          stored.has(doc._id)
            ? {
                replaceOne: {
                  filter: {
                    _id: doc._id,
                    updatedDatetime: { $lt: doc.updatedDatetime },
                  },
                  replacement: {
                    ...doc,
                    version: (storedVersions.get(doc._id) ?? 1) + 1,
                  },
                },
              }
            : { insertOne: { document: doc } },
        );
      if (writes.length > 0) {
        try {
          await reports.bulkWrite(writes, { ordered: false });
        } catch (error) {
          // Only a report inserted meanwhile by another batch (stored once)
          // is not a failure.
          const writeErrors = (error as { writeErrors?: { code?: number }[] })
            .writeErrors;
          if (
            !Array.isArray(writeErrors) ||
            writeErrors.some((e) => e.code !== 11000)
          )
            throw error;
        }
      }
      return outcomes;
    },

    event: (record) => ({
      id: `ServiceRequest:${record.id}@${record.doc.updatedDatetime.toISOString()}`,
      department: 'engagement',
      type: 'citizenReport.updated',
      entity: { type: 'CitizenReport', id: record.id },
      district: record.doc.district,
      occurredAt: record.doc.updatedDatetime,
      payload: {
        status: record.doc.status,
        serviceCode: record.doc.serviceCode,
      },
    }),
  };
}
