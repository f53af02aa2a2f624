import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readingId, type CityEvent } from '../../../lib/runtime/cityEvents.js';
import { createSilentLogger } from '../../../lib/runtime/logger.js';
import { createRecordingEventPublisher } from '../../../lib/tooling/testing/recordingEventPublisher.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../../lib/tooling/testing/testDatabase.js';
import { congestionOverWindow } from '../src/analysis/congestionWindow.js';
import { createTrafficAnalysis } from '../src/analysis/trafficAnalysis.js';
import { createModels, type MobilityModels } from '../src/models/index.js';
import { createQueries } from '../src/queries/index.js';

describe('mobility live traffic analysis', () => {
  let db: TestDatabase;
  let models: MobilityModels;

  beforeAll(async () => {
    db = await startTestDatabase('traffic-analysis-test');
    models = createModels(db.connection);
    await models.TrafficFlowReading.init();
  });
  afterAll(async () => {
    await db.stop();
  });

  /** Stores a reading and returns the event ingestion would publish for it. */
  const accept = async (
    sensorId: string,
    iso: string,
    occupancy: number,
    district = '13205',
  ): Promise<CityEvent> => {
    const observedAt = new Date(iso);
    await models.TrafficFlowReading.create({
      _id: readingId(sensorId, observedAt),
      device: { id: sensorId, district },
      observedAt,
      intensity: 800,
      averageSpeed: 30,
      occupancy,
      congested: occupancy > 0.6,
      source: { kind: 'seed', id: 'seed:test' },
      receivedAt: observedAt,
      quality: { flags: [], score: 1 },
    });
    return {
      id: readingId(sensorId, observedAt),
      department: 'mobility',
      type: 'reading.received',
      entity: { type: 'TrafficSensor', id: sensorId },
      district,
      occurredAt: observedAt,
      payload: {},
    };
  };

  it('announces a district when its 5-minute level changes, and stays quiet while it does not', async () => {
    const events = createRecordingEventPublisher();
    const analysis = createTrafficAnalysis({
      queries: createQueries(models),
      events,
      logger: createSilentLogger(),
    });
    await analysis.handle([
      await accept('mob-ts-13205-01', '2026-12-01T07:00:00.000Z', 0.1),
      await accept('mob-ts-13205-02', '2026-12-01T07:00:00.000Z', 0.12),
    ]);
    // Same level, occupancy within 5 points: nothing new.
    await analysis.handle([
      await accept('mob-ts-13205-01', '2026-12-01T07:01:00.000Z', 0.11),
    ]);
    // The rush begins: the window's mean crosses 15 % (MODERATE).
    await analysis.handle([
      await accept('mob-ts-13205-01', '2026-12-01T07:02:00.000Z', 0.3),
      await accept('mob-ts-13205-02', '2026-12-01T07:02:00.000Z', 0.3),
    ]);
    expect(events.published.map((e) => [e.id, e.payload['level']])).toEqual([
      ['13205@traffic/2026-12-01T07:00:00.000Z', 'FREE_FLOW'],
      ['13205@traffic/2026-12-01T07:02:00.000Z', 'MODERATE'],
    ]);
    expect(events.published[1]).toMatchObject({
      type: 'traffic.changed',
      entity: { type: 'District', id: '13205' },
      district: '13205',
      payload: { minutes: 5, previousLevel: 'FREE_FLOW', readingCount: 5 },
    });
  });

  it('with minIntervalMs, computes the batches that come sooner together once the interval is up', async () => {
    const events = createRecordingEventPublisher();
    const analysis = createTrafficAnalysis({
      queries: createQueries(models),
      events,
      logger: createSilentLogger(),
      minIntervalMs: 200,
    });
    await analysis.handle([
      await accept('mob-ts-13205-03', '2026-12-02T07:00:00.000Z', 0.05),
    ]);
    // Two batches within the interval: neither is computed at once...
    await analysis.handle([
      await accept('mob-ts-13205-03', '2026-12-02T07:01:00.000Z', 0.9),
    ]);
    await analysis.handle([
      await accept('mob-ts-13205-03', '2026-12-02T07:02:00.000Z', 0.9),
    ]);
    expect(events.published.map((e) => e.id)).toEqual([
      '13205@traffic/2026-12-02T07:00:00.000Z',
    ]);
    // ...and then together, the window ending at the newest reading.
    for (let i = 0; i < 50 && events.published.length < 2; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(events.published.map((e) => [e.id, e.payload['level']])).toEqual([
      ['13205@traffic/2026-12-02T07:00:00.000Z', 'FREE_FLOW'],
      ['13205@traffic/2026-12-02T07:02:00.000Z', 'JAMMED'],
    ]);
  });

  it('computes each window as a whole read of it would, though it reads only what changed (late, resent and older readings too)', async () => {
    const events = createRecordingEventPublisher();
    const queries = createQueries(models);
    const analysis = createTrafficAnalysis({
      queries,
      events,
      logger: createSilentLogger(),
    });
    const district = '13206';
    const at = (hhmmss: string) => `2026-12-03T${hhmmss}.000Z`;
    const take = (sensor: string, time: string, occupancy: number) =>
      accept(`mob-ts-13206-0${sensor}`, at(time), occupancy, district);
    // Each step moves the level, so each is announced with what it counted.
    const steps: (() => Promise<CityEvent[]>)[] = [
      async () => [await take('1', '07:00:00', 0.05)],
      async () => [
        await take('1', '07:02:00', 0.95),
        await take('2', '07:02:00', 0.95),
      ],
      // Late arrivals inside the window already read, and a newer one.
      async () => [
        await take('2', '07:01:00', 0),
        await take('3', '07:01:00', 0),
        await take('3', '07:00:30', 0),
        await take('3', '07:03:00', 0),
      ],
      // A newer reading, and one of the late ones announced again.
      async () => [
        await take('1', '07:06:00', 0.9),
        {
          id: readingId('mob-ts-13206-02', new Date(at('07:01:00'))),
          department: 'mobility',
          type: 'reading.received',
          entity: { type: 'TrafficSensor', id: 'mob-ts-13206-02' },
          district,
          occurredAt: new Date(at('07:01:00')),
          payload: {},
        },
      ],
      // The window moves back in time, then forward past what was kept.
      async () => [await take('2', '06:30:00', 0.1)],
      async () => [await take('2', '07:07:00', 0)],
    ];
    const expected: unknown[] = [];
    for (const step of steps) {
      const batch = await step();
      await analysis.handle(batch);
      const to = new Date(
        Math.max(...batch.map((e) => e.occurredAt.getTime())),
      );
      const whole = congestionOverWindow(
        await queries.trafficReadingsInWindow(
          district,
          new Date(to.getTime() - 5 * 60_000),
          to,
        ),
        5,
        to,
      );
      expected.push([
        `${district}@traffic/${to.toISOString()}`,
        whole.level,
        whole.readingCount,
        whole.averageOccupancy,
      ]);
    }
    expect(
      events.published.map((e) => [
        e.id,
        e.payload['level'],
        e.payload['readingCount'],
        e.payload['averageOccupancy'],
      ]),
    ).toEqual(expected);
    expect(expected.map((e) => (e as unknown[])[2])).toEqual([
      1, 3, 7, 4, 1, 3,
    ]);
  });

  it('reads the readings that came since, not the whole window again', async () => {
    const queries = createQueries(models);
    const read: number[] = [];
    const analysis = createTrafficAnalysis({
      queries: {
        trafficReadingsInWindow: async (district, from, to) => {
          const readings = await queries.trafficReadingsInWindow(
            district,
            from,
            to,
          );
          read.push(readings.length);
          return readings;
        },
      },
      events: createRecordingEventPublisher(),
      logger: createSilentLogger(),
    });
    const take = (sensor: string, time: string) =>
      accept(
        `mob-ts-13207-0${sensor}`,
        `2026-12-04T${time}.000Z`,
        0.1,
        '13207',
      );
    await analysis.handle([
      await take('1', '07:00:00'),
      await take('2', '07:00:00'),
      await take('3', '07:00:00'),
    ]);
    await analysis.handle([await take('1', '07:01:00')]);
    await analysis.handle([
      await take('2', '07:01:00'),
      await take('3', '07:00:30'),
    ]);
    // The first window whole; then the new reading; then from the late one on.
    expect(read).toEqual([3, 1, 3]);
  });

  it('ignores readings of other entities', async () => {
    const events = createRecordingEventPublisher();
    const analysis = createTrafficAnalysis({
      queries: createQueries(models),
      events,
      logger: createSilentLogger(),
    });
    await analysis.handle([
      {
        id: 'env-aq-13205-01@2026-12-01T07:00:00.000Z',
        department: 'environment',
        type: 'reading.received',
        entity: { type: 'AirQualityStation', id: 'env-aq-13205-01' },
        district: '13205',
        occurredAt: new Date('2026-12-01T07:00:00.000Z'),
        payload: {},
      },
    ]);
    expect(events.published).toEqual([]);
  });
});
