/**
 * The live city end to end: every service as a process, a private Redis as
 * the broker, clients speaking graphql-transport-ws (the graphql-ws client)
 * and Server-Sent Events to the gateway's /graphql.
 */
import { randomUUID } from 'node:crypto';
import { createClient, type Client, type ExecutionResult } from 'graphql-ws';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { readingId } from '../../lib/runtime/cityEvents.js';
import { connectDatabase } from '../../lib/runtime/mongo.js';
import { createOutboxPublisher } from '../../lib/subgraph-kit/eventOutbox.js';
import {
  nightFlow,
  nightWindow,
  previousNight,
} from '../../subgraphs/environment/src/analysis/nightFlow.js';
import { generateEnvironmentSeed } from '../../subgraphs/environment/src/seed.js';
import {
  startPrivateRedis,
  type PrivateRedis,
} from '../../lib/tooling/testing/privateRedis.js';
import { startCityGraph, type CityGraph } from './cityGraph.js';

const SENSOR = 'mob-ts-13201-01';
const LIGHT = 'mob-tl-13201-03';

/** Open subscriptions per connection, so the last one to go closes it. */
const subscriptionsOf = new WeakMap<Client, number>();

/** A subscription's messages as they arrive; `next()` waits for the next one. */
function subscribeWith(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
) {
  const received: ExecutionResult[] = [];
  const waiting: ((value: ExecutionResult | 'complete') => void)[] = [];
  let completed = false;
  let failure: unknown = null;
  const push = (value: ExecutionResult | 'complete') => {
    const waiter = waiting.shift();
    if (waiter) waiter(value);
    else if (value !== 'complete') received.push(value);
  };
  subscriptionsOf.set(client, (subscriptionsOf.get(client) ?? 0) + 1);
  const dispose = client.subscribe(
    { query, variables },
    {
      next: (value) => push(value as ExecutionResult),
      error: (error) => {
        failure = error;
        completed = true;
        push('complete');
      },
      complete: () => {
        completed = true;
        push('complete');
      },
    },
  );
  return {
    // The last subscription of a connection closes it too: the anonymous
    // caller stays under its 10 connections across the file.
    dispose: () => {
      dispose();
      const left = (subscriptionsOf.get(client) ?? 1) - 1;
      subscriptionsOf.set(client, left);
      if (left === 0) void client.dispose();
    },
    get failure() {
      return failure;
    },
    /** The next message; null if none came within `timeoutMs`. */
    next(timeoutMs = 30_000): Promise<ExecutionResult | 'complete' | null> {
      const ready = received.shift();
      if (ready) return Promise.resolve(ready);
      if (completed) return Promise.resolve('complete');
      return new Promise((resolve) => {
        const waiter = (value: ExecutionResult | 'complete') => {
          clearTimeout(timer);
          resolve(value);
        };
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(waiter), 1);
          resolve(null);
        }, timeoutMs);
        waiting.push(waiter);
      });
    },
  };
}

/**
 * Produces events until the subscription delivers one: the server registers
 * a subscription shortly after the client sent it, with no message saying
 * so, and only events published after that are delivered.
 */
async function deliveredAfter<T>(
  subscription: ReturnType<typeof subscribeWith>,
  produce: (attempt: number) => Promise<T>,
): Promise<{ message: ExecutionResult | 'complete'; produced: T[] }> {
  const produced: T[] = [];
  for (let attempt = 0; attempt < 30; attempt++) {
    produced.push(await produce(attempt));
    const message = await subscription.next(1500);
    if (message) return { message, produced };
  }
  throw new Error('nothing delivered');
}

describe('the live city (end to end)', () => {
  let graph: CityGraph;
  let redis: PrivateRedis;
  let mobility: Connection;
  const clients: Client[] = [];
  const wsUrl = () => graph.gatewayUrl.replace(/^http/, 'ws');
  const connect = (authorization?: string) => {
    const client = createClient({
      url: wsUrl(),
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      ...(authorization
        ? { connectionParams: { authorization: `Bearer ${authorization}` } }
        : {}),
      onNonLazyError: () => undefined,
    });
    clients.push(client);
    return client;
  };

  /** A reading the mobility department accepted: stored, and announced through its outbox. */
  const ingestReading = async (observedAt: Date, occupancy: number) => {
    const id = readingId(SENSOR, observedAt);
    await mobility.collection('traffic_flow_readings').insertOne({
      _id: id as never,
      device: { id: SENSOR, district: '13201' },
      observedAt,
      intensity: 900,
      averageSpeed: 22,
      occupancy,
      congested: occupancy > 0.5,
    });
    await createOutboxPublisher({ connection: mobility }).publish([
      {
        id,
        department: 'mobility',
        type: 'reading.received',
        entity: { type: 'TrafficSensor', id: SENSOR },
        district: '13201',
        occurredAt: observedAt,
        payload: { occupancy },
      },
    ]);
    return id;
  };

  /**
   * A reading sent by a partner to the gateway's NGSI-LD endpoint, as a
   * FIWARE TrafficFlowObserved over the 5 minutes up to `observedAt`.
   */
  const ingestThroughNgsi = async (observedAt: Date, occupancy: number) => {
    const from = new Date(observedAt.getTime() - 5 * 60_000);
    const response = await fetch(
      graph.gatewayUrl.replace(
        /\/graphql$/,
        '/ngsi-ld/v1/entityOperations/upsert',
      ),
      {
        method: 'POST',
        headers: {
          'content-type': 'application/ld+json',
          authorization: `Bearer ${await graph.token('partner-traffic', ['mobility:ingest'])}`,
        },
        body: JSON.stringify([
          {
            id: `urn:ngsi-ld:TrafficFlowObserved:${SENSOR}-${observedAt.getTime()}`,
            type: 'TrafficFlowObserved',
            refDevice: {
              type: 'Relationship',
              object: `urn:ngsi-ld:Device:${SENSOR}`,
            },
            dateObserved: {
              type: 'Property',
              value: `${from.toISOString()}/${observedAt.toISOString()}`,
            },
            intensity: { type: 'Property', value: 75 },
            averageVehicleSpeed: {
              type: 'Property',
              value: 18,
              unitCode: 'KMH',
            },
            occupancy: { type: 'Property', value: occupancy },
            '@context': [
              'https://raw.githubusercontent.com/smart-data-models/dataModel.Transportation/master/context.jsonld',
            ],
          },
        ]),
      },
    );
    expect(response.status, await response.clone().text()).toBe(201);
    return readingId(SENSOR, observedAt);
  };

  beforeAll(async () => {
    redis = await startPrivateRedis();
    graph = await startCityGraph({
      env: {
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: `e2e-live-${randomUUID()}:`,
        EVENTS_OUTBOX_POLL_MS: '100',
        AUTH_CLOCK_TOLERANCE_S: '0',
      },
    });
    mobility = await connectDatabase({
      uri: graph.databases.mobility.uri,
      dbName: 'mobility',
    });
  });
  afterAll(async () => {
    for (const client of clients) void client.dispose();
    await mobility?.close();
    await graph?.stop();
    await redis?.stop();
  });

  it('answers a subscription sent over plain POST with a clear error', async () => {
    const result = await graph.query(
      `subscription { readingReceived(sensorId: "${SENSOR}") { id } }`,
    );
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions?.['code']).toBe('BAD_REQUEST');
    expect(result.errors?.[0]?.message).toMatch(
      /WebSocket.*Server-Sent Events/,
    );
  });

  it('delivers a reading ingested through the gateway over NGSI-LD with fields of two departments, a protected one null for an anonymous subscriber', async () => {
    const subscription = subscribeWith(
      connect(),
      /* GraphQL */ `
        subscription Watch($sensor: ID!) {
          readingReceived(sensorId: $sensor) {
            id
            observedAt
            trafficReading {
              occupancy
              congested
            }
            trafficSensor {
              name
              district {
                name
                airQualityStations {
                  id
                }
                openLeakAlerts
              }
            }
          }
        }
      `,
      { sensor: SENSOR },
    );
    // Recent readings (the ingestion flags far-off times), one second apart.
    const start = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
    const { message, produced } = await deliveredAfter(subscription, (n) =>
      ingestThroughNgsi(new Date(start + n * 1000), 0.72),
    );
    subscription.dispose();
    expect(message, JSON.stringify(subscription.failure)).not.toBe('complete');
    const { data, errors } = message as ExecutionResult;
    const reading = (data as Record<string, Record<string, unknown>>)[
      'readingReceived'
    ];
    const id = String(reading?.['id']);
    expect(produced).toContain(id);
    expect(reading?.['observedAt']).toBe(id.slice(id.indexOf('@') + 1));
    expect(reading?.['trafficReading']).toEqual({
      occupancy: 0.72,
      congested: true,
    });
    const sensor = reading?.['trafficSensor'] as Record<
      string,
      Record<string, unknown>
    >;
    expect(typeof sensor['name']).toBe('string');
    // Environment's fields of the district (another department)...
    expect(Array.isArray(sensor['district']?.['airQualityStations'])).toBe(
      true,
    );
    expect(sensor['district']?.['airQualityStations']).not.toHaveLength(0);
    // ...and its protected one, null with the usual error.
    expect(sensor['district']?.['openLeakAlerts']).toBeNull();
    expect(errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect(errors?.[0]?.path).toEqual([
      'readingReceived',
      'trafficSensor',
      'district',
      'openLeakAlerts',
    ]);
  });

  it('announces a district whose congestion changes, computed from the readings as they arrive', async () => {
    const subscription = subscribeWith(
      connect(),
      /* GraphQL */ `
        subscription {
          trafficChanged(district: "13201") {
            code
            congestionWindow(minutes: 5) {
              level
              readingCount
              to
              sensors {
                id
              }
            }
          }
        }
      `,
    );
    // Alternating jams and free flow, so the level changes. The readings are
    // the district's newest (the seed's run up to the time the city started),
    // so they are taken from the clock rather than a fixed date: a fixed date
    // falls behind the seed's readings once the day moves past it.
    const base = Math.floor(Date.now() / 1000) * 1000 - 30_000;
    const { message, produced } = await deliveredAfter(subscription, (n) =>
      ingestReading(new Date(base + n * 1000), n % 2 === 0 ? 0.9 : 0.05),
    );
    subscription.dispose();
    const district = (message as ExecutionResult).data?.['trafficChanged'] as {
      code: string;
      congestionWindow: {
        level: string;
        readingCount: number;
        to: string;
        sensors: { id: string }[];
      };
    };
    expect(district.code).toBe('13201');
    // The window ends at one of the readings just ingested and holds it.
    expect(produced.map((id) => id.slice(id.indexOf('@') + 1))).toContain(
      district.congestionWindow.to,
    );
    expect(district.congestionWindow.sensors).toEqual([{ id: SENSOR }]);
    expect(['JAMMED', 'FREE_FLOW']).toContain(district.congestionWindow.level);
  });

  it('delivers citizenReportUpdated with the report, contact details protected', async () => {
    const first = await graph.query(
      '{ citizenReports(first: 1) { nodes { id } } }',
    );
    const id = (first.data?.['citizenReports'] as { nodes: { id: string }[] })
      .nodes[0]?.id as string;
    const engagement = await connectDatabase({
      uri: graph.databases.engagement.uri,
      dbName: 'engagement',
    });
    try {
      const subscription = subscribeWith(
        connect(),
        `subscription ($id: ID!) { citizenReportUpdated(id: $id) { id status reporterEmail } }`,
        { id },
      );
      const { message } = await deliveredAfter(subscription, (n) =>
        createOutboxPublisher({ connection: engagement }).publish([
          {
            id: `${id}@status/${n}`,
            department: 'engagement',
            type: 'citizenReport.updated',
            entity: { type: 'CitizenReport', id },
            occurredAt: new Date(),
            payload: {},
          },
        ]),
      );
      subscription.dispose();
      const { data, errors } = message as ExecutionResult;
      expect((data?.['citizenReportUpdated'] as { id: string }).id).toBe(id);
      expect(
        (data?.['citizenReportUpdated'] as { reporterEmail: unknown })
          .reporterEmail,
      ).toBeNull();
      expect(errors?.[0]?.path).toEqual([
        'citizenReportUpdated',
        'reporterEmail',
      ]);
    } finally {
      await engagement.close();
    }
  });

  it('refuses signalPlanChanged to an anonymous subscriber and delivers a staff change to staff', async () => {
    const query = /* GraphQL */ `
      subscription ($light: ID!) {
        signalPlanChanged(trafficLightId: $light) {
          id
          signalPlan {
            name
            cycleSeconds
            updatedBy
          }
        }
      }
    `;
    const anonymous = subscribeWith(connect(), query, { light: LIGHT });
    const refused = (await anonymous.next()) as ExecutionResult;
    expect(refused.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect(refused.errors?.[0]?.message).toMatch(
      /Subscription\.signalPlanChanged requires/,
    );

    const staff = subscribeWith(
      connect(await graph.token('staff-01', ['mobility:staff'])),
      query,
      { light: LIGHT },
    );
    const controller = await graph.token('ctl-01', ['mobility:control']);
    const delivered = await deliveredAfter(staff, async (n) => {
      const changed = await graph.query(
        `mutation { setSignalPlan(trafficLightId: "${LIGHT}", plan: { name: "Plan live ${n}", cycleSeconds: 90, phases: [{ name: "a", greenSeconds: 40 }, { name: "b", greenSeconds: 40 }] }) { id } }`,
        {},
        { token: controller },
      );
      expect(changed.errors).toBeUndefined();
      return `Plan live ${n}`;
    });
    staff.dispose();
    const message = delivered.message as ExecutionResult;
    expect(message.errors).toBeUndefined();
    expect(message.data).toEqual({
      signalPlanChanged: {
        id: LIGHT,
        signalPlan: {
          name: delivered.produced.at(-1),
          cycleSeconds: 90,
          updatedBy: 'ctl-01',
        },
      },
    });
  });

  it('refuses a subscription over the operation limits before anything is sent', async () => {
    // Deeper than the gateway's depth limit (12), through District and back.
    const deep = `trafficSensor { district { trafficSensors { nodes { district { trafficSensors { nodes { district { trafficSensors { nodes { district { name } } } } } } } } } } }`;
    const subscription = subscribeWith(
      connect(),
      `subscription { readingReceived(sensorId: "${SENSOR}") { ${deep} } }`,
    );
    const message = await subscription.next();
    const errors =
      message === 'complete'
        ? (subscription.failure as {
            message: string;
            extensions?: Record<string, unknown>;
          }[])
        : message?.errors;
    // The same answer as the same selection sent as a query over POST.
    expect(errors?.[0]?.message).toMatch(/depth limit of 12 exceeded/i);
    expect(errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses a forged token at connect, with a clear close reason', async () => {
    const token = await graph.token('staff-01', ['mobility:staff']);
    const forged = `${token.slice(0, -4)}AAAA`;
    const closed = await new Promise<{ code: number; reason: string }>(
      (resolve) => {
        const socket = new WebSocket(wsUrl(), 'graphql-transport-ws');
        socket.on('open', () =>
          socket.send(
            JSON.stringify({
              type: 'connection_init',
              payload: { authorization: `Bearer ${forged}` },
            }),
          ),
        );
        socket.on('close', (code, reason) =>
          resolve({ code, reason: reason.toString() }),
        );
      },
    );
    expect(closed.code).toBe(4401);
    expect(closed.reason).toMatch(/^Unauthorized: Invalid token/);
  });

  it('ends a subscription when its token expires mid-stream', async () => {
    const token = await graph.token('staff-02', ['mobility:staff'], 2);
    const subscription = subscribeWith(
      connect(token),
      `subscription { signalPlanChanged(trafficLightId: "${LIGHT}") { id } }`,
    );
    const message = (await subscription.next()) as ExecutionResult;
    expect(message.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect(message.errors?.[0]?.message).toMatch(/token expired/);
  });

  it('closes the connection on a malformed message and ignores an unknown operation id', async () => {
    const socket = new WebSocket(wsUrl(), 'graphql-transport-ws');
    await new Promise((resolve) => socket.once('open', resolve));
    const messages: string[] = [];
    socket.on('message', (data: Buffer) => messages.push(data.toString()));
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await new Promise((r) => setTimeout(r, 300));
    expect(messages.map((m) => JSON.parse(m).type)).toContain('connection_ack');
    // Completing an operation that does not exist changes nothing...
    socket.send(JSON.stringify({ type: 'complete', id: 'no-such-operation' }));
    socket.send(JSON.stringify({ type: 'ping' }));
    await new Promise((r) => setTimeout(r, 300));
    expect(messages.map((m) => JSON.parse(m).type)).toContain('pong');
    // ...a malformed message closes the connection with 4400.
    const closed = new Promise<number>((resolve) =>
      socket.once('close', (code) => resolve(code)),
    );
    socket.send('{"type": "subscribe", "id": 42');
    expect(await closed).toBe(4400);
  });

  it('streams over Server-Sent Events', async () => {
    const controller = new AbortController();
    const url = new URL(graph.gatewayUrl);
    url.searchParams.set(
      'query',
      `subscription { readingReceived(sensorId: "${SENSOR}") { id trafficReading { occupancy } } }`,
    );
    const response = await fetch(url, {
      headers: { accept: 'text/event-stream' },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const produced: string[] = [];
    let text = '';
    let pending = reader.read();
    for (let n = 0; n < 30 && !text.includes('event: next'); n++) {
      produced.push(
        await ingestReading(new Date(Date.UTC(2026, 11, 1, 8, 5, n)), 0.31),
      );
      const deadline = Date.now() + 1500;
      while (!text.includes('event: next') && Date.now() < deadline) {
        const chunk = await Promise.race([
          pending,
          new Promise<null>((r) => setTimeout(() => r(null), 300)),
        ]);
        if (!chunk) continue;
        if (chunk.done) break;
        text += new TextDecoder().decode(chunk.value);
        pending = reader.read();
      }
    }
    pending.catch(() => undefined);
    controller.abort();
    const data = /data: (.*)/.exec(text.slice(text.indexOf('event: next')));
    const body = JSON.parse(data?.[1] ?? 'null') as {
      data: { readingReceived: { id: string } };
    };
    expect(produced).toContain(body.data.readingReceived.id);
    expect(body).toEqual({
      data: {
        readingReceived: {
          id: body.data.readingReceived.id,
          trafficReading: { occupancy: 0.31 },
        },
      },
    });
  });

  it('raises a leak alert from water readings ingested through NGSI and delivers it to staff only', async () => {
    const query = /* GraphQL */ `
      subscription ($district: ID!) {
        leakAlertRaised(district: $district) {
          id
          status
          meter {
            id
          }
          detection {
            rule
            from
            to
            minimumNightFlow {
              value
            }
            baseline {
              value
            }
            readings {
              id
            }
          }
        }
      }
    `;
    const anonymous = subscribeWith(connect(), query, { district: '13210' });
    const refused = (await anonymous.next()) as ExecutionResult;
    expect(refused.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');

    const staff = subscribeWith(
      connect(await graph.token('env-agent-07', ['environment:staff'])),
      query,
      { district: '13210' },
    );
    // Registered and delivering: an announcement of the seed's alert.
    const environment = await connectDatabase({
      uri: graph.databases.environment.uri,
      dbName: 'environment',
    });
    try {
      const seeded = 'env-leak-13210-1-20261122';
      await deliveredAfter(staff, (n) =>
        createOutboxPublisher({ connection: environment }).publish([
          {
            id: `leakAlert.raised:${seeded}#${n}`,
            department: 'environment',
            type: 'leakAlert.raised',
            entity: { type: 'WaterLeakAlert', id: seeded },
            district: '13210',
            occurredAt: new Date(),
            payload: {},
          },
        ]),
      );
    } finally {
      await environment.close();
    }

    // Two nights of a consumption meter through the gateway's NGSI-v2
    // endpoint: a normal one (its quietest seeded night's flow), then one
    // 60 m3/h above it all night.
    const meter = 'env-wm-13210-2';
    const normal =
      nightFlow(
        generateEnvironmentSeed().water.filter((r) => r.device.id === meter),
        nightWindow('2026-11-22'),
      ).minimumFlow ?? 0;
    const today = new Date().toISOString().slice(0, 10);
    let night = nightWindow(today);
    if (night.to.getTime() > Date.now() - 60_000) night = previousNight(night);
    const before = previousNight(night);
    let index = 500_000_000;
    const entities = [before, night].flatMap((w, k) =>
      [0, 1, 2, 3].map((h) => {
        index += h === 0 ? 1000 : normal + 60 * k;
        const at = new Date(w.from.getTime() + h * 3_600_000);
        return {
          id: `WaterConsumptionObserved-${meter}-${at.getTime()}`,
          type: 'WaterConsumptionObserved',
          refDevice: meter,
          dateObserved: at.toISOString(),
          waterConsumption: index,
        };
      }),
    );
    const token = await graph.token('partner-eaux', ['environment:ingest']);
    const response = await fetch(
      graph.gatewayUrl.replace(/\/graphql$/, '/v2/op/update?options=keyValues'),
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
        },
        body: JSON.stringify({ actionType: 'append', entities }),
      },
    );
    expect(response.status).toBe(204);

    let message: ExecutionResult | 'complete' | null = null;
    for (let i = 0; i < 10; i++) {
      message = await staff.next();
      if (!message || message === 'complete') break;
      const alert = message.data?.['leakAlertRaised'] as { id: string };
      if (alert.id !== 'env-leak-13210-1-20261122') break;
    }
    staff.dispose();
    const detection = (
      (message as ExecutionResult).data?.['leakAlertRaised'] as {
        detection: {
          minimumNightFlow: { value: number };
          baseline: { value: number };
        };
      }
    ).detection;
    expect(detection.minimumNightFlow.value).toBeCloseTo(normal + 60, 1);
    expect(detection.baseline.value).toBeCloseTo(normal, 1);
    const night8 = night.night.replaceAll('-', '');
    expect(message).toMatchObject({
      data: {
        leakAlertRaised: {
          id: `env-leak-13210-2-${night8}`,
          status: 'OPEN',
          meter: { id: meter },
          detection: {
            rule: 'MINIMUM_NIGHT_FLOW',
            from: night.from.toISOString(),
            to: night.to.toISOString(),
            readings: [1, 2, 3].map((h) => ({
              id: `${meter}@${new Date(night.from.getTime() + h * 3_600_000).toISOString()}`,
            })),
          },
        },
      },
    });
  });

  it('raises an air-quality alert from readings ingested through NGSI, only to the subscribers whose minLevel it crosses', async () => {
    const query = /* GraphQL */ `
      subscription ($district: ID!, $minLevel: AirQualityBand!) {
        airQualityAlert(district: $district, minLevel: $minLevel) {
          id
          station {
            id
            name
          }
          index {
            to
            band
            dominantPollutant
            pollutants {
              pollutant
              concentration {
                value
              }
            }
            readings {
              id
            }
          }
          previousIndex {
            to
            band
          }
        }
      }
    `;
    const station = 'env-aq-13206';
    // One connection for the three (anonymous callers share a connection limit).
    const client = connect();
    const poor = subscribeWith(client, query, {
      district: '13206',
      minLevel: 'POOR',
    });
    const extreme = subscribeWith(client, query, {
      district: '13206',
      minLevel: 'EXTREMELY_POOR',
    });
    const elsewhere = subscribeWith(client, query, {
      district: '13207',
      minLevel: 'FAIR',
    });
    const token = await graph.token('partner-atmosud', ['environment:ingest']);
    // Full hours up to now (readings are stamped with their hour's end).
    const lastHour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    /** Attempt n: a clean hour, then one with NO2 at 150 µg/m3 (POOR), earlier each time. */
    const ingestPair = async (n: number) => {
      const poorHour = new Date(lastHour - 2 * n * 3_600_000);
      const cleanHour = new Date(poorHour.getTime() - 3_600_000);
      const response = await fetch(
        graph.gatewayUrl.replace(
          /\/graphql$/,
          '/v2/op/update?options=keyValues',
        ),
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${token}`,
          },
          body: JSON.stringify({
            actionType: 'append',
            entities: [
              [cleanHour, 30],
              [poorHour, 150],
            ].map(([at, no2]) => ({
              id: `AirQualityObserved-${station}-${(at as Date).getTime()}`,
              type: 'AirQualityObserved',
              refDevice: station,
              dateObserved: (at as Date).toISOString(),
              no2,
              o3: 40,
            })),
          }),
        },
      );
      expect(response.status).toBe(204);
      return { poorHour, cleanHour };
    };
    const { message, produced } = await deliveredAfter(poor, ingestPair);
    poor.dispose();
    expect(message, JSON.stringify(poor.failure)).not.toBe('complete');
    const alert = (message as ExecutionResult).data?.['airQualityAlert'] as {
      id: string;
      index: { to: string };
    };
    const pair = produced.find(
      (p) => p.poorHour.toISOString() === alert.index.to,
    );
    expect(pair).toBeDefined();
    expect(message).toMatchObject({
      data: {
        airQualityAlert: {
          id: `${station}@${alert.index.to}`,
          station: { id: station },
          index: {
            band: 'POOR',
            dominantPollutant: 'NO2',
            pollutants: [
              { pollutant: 'NO2', concentration: { value: 150 } },
              { pollutant: 'O3', concentration: { value: 40 } },
            ],
            readings: [{ id: `${station}@${alert.index.to}` }],
          },
          previousIndex: {
            to: pair?.cleanHour.toISOString(),
            band: 'GOOD',
          },
        },
      },
    });
    // POOR is not EXTREMELY_POOR, and 13206 is not 13207: filtered before
    // anything was sent to them.
    expect(await extreme.next(2000)).toBeNull();
    expect(await elsewhere.next(100)).toBeNull();
    extreme.dispose();
    elsewhere.dispose();
    await client.dispose();
  });

  it('keeps delivering after the broker is restarted mid-stream', async () => {
    const subscription = subscribeWith(
      connect(),
      `subscription { readingReceived(sensorId: "${SENSOR}") { id } }`,
    );
    // First make sure it is registered and delivering.
    await deliveredAfter(subscription, (n) =>
      ingestReading(new Date(Date.UTC(2026, 11, 1, 8, 10, n)), 0.4),
    );
    await redis.kill();
    // Accepted while the broker is down: it waits in mobility's outbox.
    const id = await ingestReading(new Date('2026-12-01T08:20:00.000Z'), 0.4);
    await redis.start();
    // Earlier readings may still come (the retries above): wait for this one.
    let message: ExecutionResult | 'complete' | null = null;
    for (let i = 0; i < 10; i++) {
      message = await subscription.next();
      if (!message || message === 'complete') break;
      if (
        (message.data as { readingReceived: { id: string } }).readingReceived
          .id === id
      )
        break;
    }
    subscription.dispose();
    expect(message).toEqual({ data: { readingReceived: { id } } });
  });
  it('limits subscriptions per connection and connections per caller', async () => {
    const token = await graph.token('busy-caller', []);
    /** A graphql-transport-ws connection, acknowledged; messages and close as they come. */
    const open = async () => {
      const socket = new WebSocket(wsUrl(), 'graphql-transport-ws');
      const messages: { type: string; id?: string; payload?: unknown }[] = [];
      const closed = new Promise<{ code: number; reason: string }>((resolve) =>
        socket.on('close', (code, reason) =>
          resolve({ code, reason: reason.toString() }),
        ),
      );
      socket.on('message', (data: Buffer) =>
        messages.push(JSON.parse(data.toString())),
      );
      await new Promise((resolve) => socket.once('open', resolve));
      socket.send(
        JSON.stringify({
          type: 'connection_init',
          payload: { authorization: `Bearer ${token}` },
        }),
      );
      const outcome = await Promise.race([
        closed,
        (async () => {
          while (!messages.some((m) => m.type === 'connection_ack'))
            await new Promise((r) => setTimeout(r, 20));
          return 'acknowledged' as const;
        })(),
      ]);
      return { socket, messages, closed, outcome };
    };
    type Connection = Awaited<ReturnType<typeof open>>;
    const connections: Connection[] = [];
    const sockets: WebSocket[] = [];
    try {
      // Ten connections of one caller are accepted...
      for (let n = 0; n < 10; n++) {
        const connection = await open();
        expect(connection.outcome).toBe('acknowledged');
        connections.push(connection);
        sockets.push(connection.socket);
      }
      // ...the eleventh is closed with 1008 and a reason saying why.
      const eleventh = await open();
      expect(eleventh.outcome).toEqual({
        code: 1008,
        reason: 'Too many connections: at most 10 per caller.',
      });
      // Another caller is not affected by this one's connections.
      const other = subscribeWith(
        connect(await graph.token('quiet-caller', [])),
        `subscription { readingReceived(sensorId: "${SENSOR}") { id } }`,
      );
      expect(await other.next(500)).toBeNull();
      expect(other.failure).toBeNull();
      other.dispose();

      // On one connection, twenty subscriptions are accepted, the 21st refused.
      const { socket: first, messages } = connections[0] as Connection;
      for (let n = 1; n <= 21; n++)
        first.send(
          JSON.stringify({
            type: 'subscribe',
            id: `s${n}`,
            payload: {
              query: `subscription { readingReceived(sensorId: "${SENSOR}") { id } }`,
            },
          }),
        );
      const deadline = Date.now() + 30_000;
      while (!messages.some((m) => m.id === 's21') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      expect(messages.filter((m) => m.type === 'error')).toEqual([
        {
          type: 'error',
          id: 's21',
          payload: [
            expect.objectContaining({
              message: 'Too many subscriptions on this connection: at most 20.',
              extensions: expect.objectContaining({
                code: 'OPERATION_LIMIT_EXCEEDED',
                limit: 'subscriptionsPerConnection',
              }),
            }),
          ],
        },
      ]);
      // Closing one of the caller's connections makes room for another.
      const closedOne = new Promise((resolve) =>
        (sockets[9] as WebSocket).once('close', resolve),
      );
      (sockets[9] as WebSocket).close();
      await closedOne;
      let again = await open();
      for (let i = 0; i < 50 && again.outcome !== 'acknowledged'; i++) {
        // The server frees the slot when it sees the close: shortly after.
        await new Promise((r) => setTimeout(r, 100));
        again = await open();
      }
      expect(again.outcome).toBe('acknowledged');
      sockets.push(again.socket);
    } finally {
      for (const socket of sockets) socket.close();
    }
  });

  it('keeps a subscription open while the department that publishes is restarted, and delivers what it accepted meanwhile', async () => {
    const subscription = subscribeWith(
      connect(),
      `subscription { readingReceived(sensorId: "${SENSOR}") { id trafficReading { occupancy } } }`,
    );
    await deliveredAfter(subscription, (n) =>
      ingestReading(new Date(Date.UTC(2026, 11, 1, 9, 0, n)), 0.2),
    );
    await graph.kill('mobility');
    // Accepted while mobility's process is down (its ingestion wrote it to
    // the database and the outbox): the restarted relay sends it.
    const id = await ingestReading(new Date('2026-12-01T09:30:00.000Z'), 0.66);
    await graph.restart('mobility');
    let message: ExecutionResult | 'complete' | null = null;
    const seen: unknown[] = [];
    for (let i = 0; i < 40; i++) {
      message = await subscription.next();
      seen.push(message);
      if (!message || message === 'complete') break;
      if (
        (message.data as { readingReceived: { id: string } } | undefined)
          ?.readingReceived?.id === id
      )
        break;
    }
    subscription.dispose();
    expect(message, JSON.stringify(seen)).toEqual({
      data: { readingReceived: { id, trafficReading: { occupancy: 0.66 } } },
    });
  });
});
