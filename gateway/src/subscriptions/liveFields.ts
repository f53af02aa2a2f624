/**
 * The subscription fields the gateway serves, and how each is fed: which
 * events, which of them a given subscription wants (filters run before
 * anything is executed or sent), and which Query field answers the
 * subscriber's selection for an event (Apollo's decoupled pattern: the
 * event names an entity, the gateway's own query path resolves the rest).
 *
 * The fields themselves are declared by the departments in their
 * schema.graphql (`type Subscription`), so they are composed into the
 * supergraph with their access rules; a Subscription field without an entry
 * here is refused with a clear error.
 */
import { readingId, type CityEvent } from '../../../lib/runtime/cityEvents.js';

/** How one Subscription field is fed. */
export interface LiveField {
  /** The event types that may concern it. */
  readonly eventTypes: readonly string[];
  /** A BAD_USER_INPUT message when the arguments make no sense together; null when they do. */
  readonly checkArgs?: (
    args: Readonly<Record<string, unknown>>,
  ) => string | null;
  /** The routing key a subscription with these arguments listens on. */
  readonly keyOfArgs: (args: Readonly<Record<string, unknown>>) => string;
  /** The routing keys an event is delivered on (it reaches subscriptions listening on any of them). */
  readonly keysOfEvent: (event: CityEvent) => readonly string[];
  /** The Query field that answers the subscriber's selection, with the value of its `id` argument. */
  readonly lookup: {
    readonly queryField: string;
    readonly argument: string;
    readonly value: (event: CityEvent) => string;
  };
}

const byEntity = (event: CityEvent) => [`entity:${event.entity.id}`];

/** The served Subscription fields, by name. */
export const LIVE_FIELDS: Readonly<Record<string, LiveField>> = {
  signalPlanChanged: {
    eventTypes: ['signalPlan.changed'],
    keyOfArgs: (args) => `entity:${String(args['trafficLightId'])}`,
    keysOfEvent: byEntity,
    lookup: {
      queryField: 'trafficLight',
      argument: 'id',
      value: (event) => event.entity.id,
    },
  },
  trafficChanged: {
    eventTypes: ['traffic.changed'],
    keyOfArgs: (args) => `district:${String(args['district'])}`,
    keysOfEvent: (event) => [`district:${event.district ?? ''}`],
    lookup: {
      queryField: 'district',
      argument: 'code',
      value: (event) => event.entity.id,
    },
  },
  citizenReportUpdated: {
    eventTypes: ['citizenReport.updated'],
    keyOfArgs: (args) => `entity:${String(args['id'])}`,
    keysOfEvent: byEntity,
    lookup: {
      queryField: 'citizenReport',
      argument: 'id',
      value: (event) => event.entity.id,
    },
  },
  leakAlertRaised: {
    eventTypes: ['leakAlert.raised'],
    keyOfArgs: (args) => `district:${String(args['district'])}`,
    keysOfEvent: (event) => [`district:${event.district ?? ''}`],
    lookup: {
      queryField: 'waterLeakAlert',
      argument: 'id',
      value: (event) => event.entity.id,
    },
  },
  airQualityAlert: {
    eventTypes: ['airQuality.bandChanged'],
    // The filter is the routing: a band change is delivered on one key per
    // band it crossed into (`payload.crossedInto`, computed by environment),
    // so only the subscriptions whose minLevel it crosses hear of it.
    keyOfArgs: (args) =>
      `district:${String(args['district'])}|minLevel:${String(args['minLevel'])}`,
    keysOfEvent: (event) => {
      const crossed = event.payload['crossedInto'];
      return Array.isArray(crossed)
        ? crossed.map(
            (band) =>
              `district:${event.district ?? ''}|minLevel:${String(band)}`,
          )
        : [];
    },
    lookup: {
      queryField: 'airQualityAlert',
      argument: 'id',
      value: (event) => event.entity.id,
    },
  },
  readingReceived: {
    eventTypes: ['reading.received'],
    checkArgs: (args) =>
      (args['sensorId'] == null) === (args['stationId'] == null)
        ? 'readingReceived takes exactly one of sensorId and stationId.'
        : null,
    keyOfArgs: (args) =>
      `entity:${String(args['sensorId'] ?? args['stationId'])}`,
    keysOfEvent: byEntity,
    lookup: {
      queryField: 'reading',
      argument: 'id',
      // Ingestion names the stored reading (`payload.readingId`); its id is
      // `<entity id>@<observedAt>` either way.
      value: (event) =>
        typeof event.payload['readingId'] === 'string'
          ? event.payload['readingId']
          : readingId(event.entity.id, event.occurredAt),
    },
  },
};
