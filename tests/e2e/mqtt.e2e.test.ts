/**
 * End-to-end MQTT ingestion through the machine's Mosquitto (127.0.0.1:1883):
 * devices publish signed NGSI-LD readings on their topics, the gateway's
 * bridge verifies and feeds them to the owning department, and the graph
 * answers them. Every topic is under a per-run prefix, so colleagues' runs
 * on the same broker never meet.
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDeviceMessage } from '../../lib/ingest/deviceClaim.js';
import { enrolDevice } from '../../scripts/device.js';
import { startCityGraph, type CityGraph } from './cityGraph.js';
import { eventually } from './eventually.js';

const BROKER = 'mqtt://127.0.0.1:1883';
const RUN = randomUUID().slice(0, 8);
const PREFIX = `test-${RUN}/marseille/`;
const SENSOR = 'mob-ts-13204-01';
const OTHER_SENSOR = 'mob-ts-13204-02';
const STATION = 'env-aq-13204';

let graph: CityGraph;
let publisher: MqttClient;
let keyDir: string;
const keys = new Map<string, KeyObject>();

beforeAll(async () => {
  keyDir = await mkdtemp(path.join(os.tmpdir(), 'city-graph-devices-'));
  const jwksFile = path.join(keyDir, 'devices.jwks.json');
  for (const device of [SENSOR, OTHER_SENSOR, STATION])
    keys.set(device, await enrolDevice(jwksFile, device));
  graph = await startCityGraph({
    gatewayEnv: {
      MQTT_URL: BROKER,
      MQTT_TOPIC_PREFIX: PREFIX,
      MQTT_CLIENT_ID: `test-${RUN}`,
      MQTT_CONNECTIONS: '2',
      MQTT_DEVICE_KEYS_FILE: jwksFile,
    },
  });
  const base = graph.gatewayUrl.replace(/\/graphql$/, '');
  await eventually(async () => {
    const ready = (await (await fetch(`${base}/ready`)).json()) as Record<
      string,
      unknown
    >;
    return ready['mqttBridge'] === 'subscribed' || JSON.stringify(ready);
  });
  publisher = await connectAsync(BROKER, { clientId: `test-${RUN}-devices` });
});
afterAll(async () => {
  await publisher?.endAsync();
  await graph?.stop();
  await rm(keyDir, { recursive: true, force: true });
});

function flowObserved(to: Date, sensor = SENSOR): Record<string, unknown> {
  const from = new Date(to.getTime() - 5 * 60_000);
  return {
    id: `urn:ngsi-ld:TrafficFlowObserved:${sensor}-${to.getTime()}`,
    type: 'TrafficFlowObserved',
    refDevice: { type: 'Relationship', object: `urn:ngsi-ld:Device:${sensor}` },
    dateObserved: {
      type: 'Property',
      value: `${from.toISOString()}/${to.toISOString()}`,
    },
    intensity: { type: 'Property', value: 100 },
    averageVehicleSpeed: { type: 'Property', value: 44, unitCode: 'KMH' },
    occupancy: { type: 'Property', value: 0.3 },
  };
}

async function publish(
  department: string,
  topicDevice: string,
  message: string,
): Promise<void> {
  await publisher.publishAsync(
    `${PREFIX}${department}/${topicDevice}`,
    message,
    { qos: 1 },
  );
}

async function signed(device: string, body: unknown): Promise<string> {
  const key = keys.get(device);
  if (!key) throw new Error(`no key for ${device}`);
  return signDeviceMessage(key, device, body);
}

async function withDb<T>(
  name: 'mobility' | 'governance',
  work: (client: MongoClient) => Promise<T>,
): Promise<T> {
  const client = await MongoClient.connect(graph.databases[name].uri);
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}

const readingsOf = (sensor: string) =>
  withDb('mobility', (c) =>
    c.db('mobility').collection('traffic_flow_readings').countDocuments({
      'device.id': sensor,
      'source.kind': 'device',
    }),
  );

/** The audit events of MQTT messages with this outcome and code. */
const mqttAudit = (outcome: string, code: string) =>
  withDb('governance', (c) =>
    c
      .db('governance')
      .collection('audit_events')
      .find({
        operationName: 'MQTT publish',
        outcome,
        errorCodes: code,
      })
      .toArray(),
  );

describe('MQTT ingestion through Mosquitto', () => {
  it('answers a signed TrafficFlowObserved as the sensor latest reading, from the device', async () => {
    const to = new Date(Date.now() - 30_000);
    await publish('mobility', SENSOR, await signed(SENSOR, flowObserved(to)));
    await eventually(async () => {
      const result = await graph.query(
        `{ trafficSensor(id: "${SENSOR}") { latestReading { observedAt source { kind id } } } }`,
      );
      const reading = (
        result.data?.['trafficSensor'] as {
          latestReading: { observedAt: string } | null;
        } | null
      )?.latestReading;
      return reading?.observedAt === to.toISOString() || JSON.stringify(result);
    });
    const result = await graph.query(
      `{ trafficSensor(id: "${SENSOR}") { latestReading { intensity { value } source { kind id } quality { flags } } } }`,
    );
    expect(result.data?.['trafficSensor']).toEqual({
      latestReading: {
        intensity: { value: 1200 },
        source: { kind: 'DEVICE', id: SENSOR },
        quality: { flags: [] },
      },
    });
  });

  it('stores a replayed message once, and a batch of a device readings', async () => {
    const base = Date.now() - 10 * 60_000;
    const batch = [0, 1, 2].map((i) =>
      flowObserved(new Date(base + i * 60_000), OTHER_SENSOR),
    );
    const message = await signed(OTHER_SENSOR, batch);
    const before = await readingsOf(OTHER_SENSOR);
    await publish('mobility', OTHER_SENSOR, message);
    await eventually(
      async () => (await readingsOf(OTHER_SENSOR)) === before + 3,
    );
    // The same message again (a redelivery, a replay): nothing added. The
    // bridge records every message it hands over; wait for the second one.
    const handled = () =>
      withDb('governance', (c) =>
        c
          .db('governance')
          .collection('audit_events')
          .countDocuments({
            operationName: 'MQTT publish',
            subject: `device:${OTHER_SENSOR}`,
            outcome: 'success',
          }),
      );
    const handledBefore = await handled();
    await publish('mobility', OTHER_SENSOR, message);
    await eventually(async () => (await handled()) === handledBefore + 1);
    expect(await readingsOf(OTHER_SENSOR)).toBe(before + 3);
  });

  it('answers a signed AirQualityObserved as the station latest reading', async () => {
    const observedAt = new Date(Date.now() - 60_000);
    await publish(
      'environment',
      STATION,
      await signed(STATION, {
        id: `urn:ngsi-ld:AirQualityObserved:${STATION}-${observedAt.getTime()}`,
        type: 'AirQualityObserved',
        refDevice: `urn:ngsi-ld:Device:${STATION}`,
        dateObserved: observedAt.toISOString(),
        no2: 38,
        pm10: 19,
      }),
    );
    await eventually(async () => {
      const result = await graph.query(
        `{ airQualityStation(id: "${STATION}") { latestReading { observedAt no2 { value } } } }`,
      );
      const reading = (
        result.data?.['airQualityStation'] as {
          latestReading: { observedAt: string } | null;
        } | null
      )?.latestReading;
      return (
        reading?.observedAt === observedAt.toISOString() ||
        JSON.stringify(result)
      );
    });
  });

  it('refuses a forged message and records it in the audit trail', async () => {
    const to = new Date(Date.now() - 20_000);
    // Signed with another device's key but claiming to be SENSOR.
    const forged = await signDeviceMessage(
      keys.get(STATION) as KeyObject,
      SENSOR,
      flowObserved(to),
    );
    const before = await readingsOf(SENSOR);
    await publish('mobility', SENSOR, forged);
    // Not a JWS at all.
    await publish('mobility', SENSOR, JSON.stringify(flowObserved(to)));
    await eventually(async () => {
      const refused = await mqttAudit('refused', 'DEVICE_UNAUTHENTICATED');
      return (
        refused.filter((e) => e['subject'] === `device:${SENSOR}`).length >=
          2 || `${refused.length} refusals`
      );
    });
    expect(await readingsOf(SENSOR)).toBe(before);
  });

  it('refuses a device signing another device reading, and quarantines a signed bad reading', async () => {
    const to = new Date(Date.now() - 15_000);
    const before = await readingsOf(SENSOR);
    const bad: Record<string, unknown> = {
      ...flowObserved(new Date(to.getTime() - 1000), OTHER_SENSOR),
      occupancy: { type: 'Property', value: 7 },
    };
    await publish(
      'mobility',
      OTHER_SENSOR,
      await signed(OTHER_SENSOR, [flowObserved(to, SENSOR), bad]),
    );
    await eventually(async () => {
      const partial = await mqttAudit('error', 'DEVICE_MISMATCH');
      return partial.length >= 1 || 'no audit event yet';
    });
    expect(await readingsOf(SENSOR)).toBe(before);
    const staff = await graph.token('staff-mob', ['mobility:staff']);
    const quarantine = await graph.query(
      `{ mobilityQuarantine(status: OPEN, first: 50) { nodes { entityId reason source { kind id } } } }`,
      {},
      { token: staff },
    );
    expect(quarantine.errors).toBeUndefined();
    expect(
      (
        quarantine.data?.['mobilityQuarantine'] as {
          nodes: { entityId: string }[];
        }
      ).nodes,
    ).toContainEqual({
      entityId: bad['id'],
      reason: 'OUT_OF_RANGE',
      source: { kind: 'DEVICE', id: OTHER_SENSOR },
    });
  });
});
