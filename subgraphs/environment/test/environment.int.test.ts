import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSubgraphContractSuite } from '../../../lib/tooling/testing/defineSubgraphContractSuite.js';
import { districtEntities } from '../../../lib/tooling/testing/districtEntities.js';
import {
  executeAs,
  type TestResult,
} from '../../../lib/tooling/testing/executeAs.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../../lib/tooling/testing/testDatabase.js';
import {
  createLogger,
  createSilentLogger,
} from '../../../lib/runtime/logger.js';
import { upsertAll } from '../../../lib/subgraph-kit/seeding.js';
import { seedCount } from '../../../lib/subgraph-kit/seedPlan.js';
import { DISTRICTS } from '../../../lib/subgraph-kit/districts.js';
import { createViewer } from '../../../lib/runtime/viewer.js';
import { createModels } from '../src/models/index.js';
import { createServer } from '../src/server.js';
import { generateEnvironmentSeed, seedEnvironment } from '../src/seed.js';
import { createRecordingEventPublisher } from '../../../lib/tooling/testing/recordingEventPublisher.js';

/** What the resolvers under test publish. */
const events = createRecordingEventPublisher();

defineSubgraphContractSuite({ name: 'environment', createServer });

const staff = createViewer('env-agent-42', ['environment:staff']);
const citizen = createViewer('citizen-7', ['citizen']);

describe('environment seed', () => {
  const seed = generateEnvironmentSeed();

  it('is deterministic', () => {
    expect(generateEnvironmentSeed()).toEqual(seed);
  });

  it('has stations by population (each district its own first), 3 meters per district and hourly readings', () => {
    const ids = seed.stations.map((s) => s._id);
    for (let i = 0; i < 16; i++) expect(ids).toContain(`env-aq-${13201 + i}`);
    expect(ids.length).toBe(
      DISTRICTS.reduce(
        (n, d) => n + seedCount('airQualityStations', d.code),
        0,
      ),
    );
    expect(ids.length).toBeGreaterThan(16);
    expect(new Set(ids).size).toBe(ids.length);
    expect(seed.airQuality.length).toBe(ids.length * 96);
    expect(seed.noise.length).toBe(ids.length * 96);
    expect(seed.meters.length).toBe(48);
    expect(seed.meters.map((m) => m._id)).toContain('env-wm-13216-3');
    expect(seed.water.length).toBe(48 * 96);
    expect(seed.alerts.length).toBeGreaterThan(0);
  });

  it('gives renewable projects operators among economy businesses', () => {
    const operators = seed.projects.flatMap((p) =>
      p.operatorId === null ? [] : [p.operatorId],
    );
    expect(operators.length).toBeGreaterThan(0);
    for (const id of operators) {
      const [, code, n] = /^eco-biz-(132\d\d)-(\d{3})$/.exec(id) ?? [];
      expect(Number(n)).toBeGreaterThanOrEqual(1);
      expect(Number(n)).toBeLessThanOrEqual(
        seedCount('businesses', code ?? ''),
      );
    }
  });
});

describe('environment subgraph', () => {
  let db: TestDatabase;
  let server: ReturnType<typeof createServer>;
  let models: ReturnType<typeof createModels>;
  const seed = generateEnvironmentSeed();

  beforeAll(async () => {
    db = await startTestDatabase('environment-test');
    models = createModels(db.connection);
    await seedEnvironment(models);
    server = createServer({
      connection: db.connection,
      events,
      logger: createSilentLogger(),
    });
    await server.apollo.start();
    // The water balance answers from rollups: the job's catch-up of the seed.
    await server.rollups?.runOnce();
  });
  afterAll(async () => {
    await server.apollo.stop();
    await db.stop();
  });

  it('passes model validation for every seeded document', async () => {
    const samples = [
      ...seed.stations.map((d) => new models.AirQualityStation(d)),
      ...seed.airQuality.map((d) => new models.AirQualityObserved(d)),
      ...seed.noise.map((d) => new models.NoiseLevelObserved(d)),
      ...seed.meters.map((d) => new models.WaterMeter(d)),
      ...seed.water.map((d) => new models.WaterConsumptionObserved(d)),
      ...seed.alerts.map((d) => new models.WaterLeakAlert(d)),
      ...seed.projects.map((d) => new models.RenewableEnergyProject(d)),
    ];
    const errors: string[] = [];
    for (const doc of samples) {
      try {
        await doc.validate();
      } catch (error) {
        errors.push(`${String(doc._id)}: ${String(error)}`);
      }
    }
    expect(errors).toEqual([]);
  });

  it('re-seeds without duplicating anything', async () => {
    await upsertAll(models.WaterMeter, seed.meters);
    expect(await models.WaterMeter.countDocuments().exec()).toBe(48);
    expect(await models.AirQualityObserved.countDocuments().exec()).toBe(
      seed.airQuality.length,
    );
  });

  it('resolves 48 WaterMeter references with one database query', async () => {
    db.resetCommands();
    const result = await executeAs(
      server,
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on WaterMeter { id role district { code } } } }',
      {
        r: [
          ...seed.meters.map((m) => ({ __typename: 'WaterMeter', id: m._id })),
          { __typename: 'WaterMeter', id: 'env-wm-99999-9' },
        ],
      },
    );
    expect(result.errors).toBeUndefined();
    const entities = result.data?.['_entities'] as unknown[];
    expect(entities.length).toBe(49);
    expect(entities[0]).toEqual({
      id: 'env-wm-13201-1',
      role: 'INFLOW',
      district: { code: '13201' },
    });
    expect(entities[48]).toBeNull();
    expect(db.commands()).toEqual(['find water_meters']);
  });

  it("adds the projects a business operates to economy's Business, one query for many businesses", async () => {
    const operated = [
      ...new Set(seed.projects.flatMap((p) => p.operatorId ?? [])),
    ];
    db.resetCommands();
    const result = await executeAs(
      server,
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Business { id renewableEnergyProjects { id operator { id } capacity { unit } } } } }',
      { r: operated.map((id) => ({ __typename: 'Business', id })) },
    );
    expect(result.errors).toBeUndefined();
    const businesses = result.data?.['_entities'] as {
      id: string;
      renewableEnergyProjects: { operator: { id: string } }[];
    }[];
    expect(businesses.length).toBe(operated.length);
    for (const business of businesses) {
      expect(business.renewableEnergyProjects.length).toBeGreaterThan(0);
      for (const project of business.renewableEnergyProjects)
        expect(project.operator.id).toBe(business.id);
    }
    expect(db.commands()).toEqual(['find renewable_energy_projects']);
  });

  it("answers every district's environment view with one query per kind of data", async () => {
    db.resetCommands();
    const result = await executeAs(
      server,
      /* GraphQL */ `
        {
          districts: ${districtEntities()} {
            ... on District {
            code
            airQuality {
              stationCount
              observedAt
              no2 {
                value
                unit
              }
              index {
                level
                band
                dominantPollutant
              }
            }
            noise {
              averageLAeq {
                value
                unit
              }
            }
            waterBalance {
              lossRate
              loss {
                unit
              }
            }
            renewableCapacity {
              value
              unit
            }
            }
          }
        }
      `,
    );
    expect(result.errors).toBeUndefined();
    const districts = result.data?.['districts'] as {
      code: string;
      airQuality: { stationCount: number; observedAt: string };
      noise: { averageLAeq: { unit: string } };
      waterBalance: { lossRate: number };
    }[];
    expect(districts.length).toBe(16);
    for (const d of districts) {
      expect(d.airQuality).toMatchObject({
        stationCount: seedCount('airQualityStations', d.code),
        observedAt: '2026-11-23T00:00:00.000Z',
      });
      expect(d.noise.averageLAeq.unit).toBe('dB(A)');
      expect(d.waterBalance.lossRate).toBeGreaterThan(0);
    }
    // Air quality and noise answer from each station's current state (no aggregation).
    expect([...db.commands()].sort()).toEqual([
      'aggregate water_consumption_rollups',
      'find air_quality_stations',
      'find renewable_energy_projects',
    ]);
  });

  it('ranks districts by NO2 at rush hour with one aggregation', async () => {
    db.resetCommands();
    const result = await executeAs(
      server,
      '{ airQualityRanking(pollutant: NO2, localHours: [7, 8, 9, 17, 18, 19]) { rank district { code } average { value unit } band sampleCount } }',
    );
    expect(result.errors).toBeUndefined();
    const ranking = result.data?.['airQualityRanking'] as {
      rank: number;
      average: { value: number; unit: string };
      sampleCount: number;
    }[];
    expect(ranking.length).toBe(16);
    expect(ranking.map((r) => r.rank)).toEqual(
      Array.from({ length: 16 }, (_, i) => i + 1),
    );
    const averages = ranking.map((r) => r.average.value);
    expect([...averages].sort((a, b) => b - a)).toEqual(averages);
    // 6 local hours a day over 4 days.
    expect(ranking[0]?.sampleCount).toBe(24);
    expect(ranking[0]?.average.unit).toBe('µg/m3');
    expect(db.commands()).toEqual(['aggregate air_quality_observed']);

    const allDay = await executeAs(
      server,
      '{ airQualityRanking(pollutant: NO2) { average { value } } }',
    );
    const allDayTop = (
      allDay.data?.['airQualityRanking'] as { average: { value: number } }[]
    )[0];
    expect(allDayTop?.average.value).toBeLessThan(averages[0] ?? 0);
  });

  it('answers a reading whose station is missing with INTERNAL_SERVER_ERROR and logs the dangling reference', async () => {
    const lines: string[] = [];
    const logged = createServer({
      connection: db.connection,
      events,
      logger: createLogger({
        service: 'subgraph-environment-test',
        destination: { write: (line: string) => void lines.push(line) },
      }),
    });
    await logged.apollo.start();
    // Newer than every seeded reading, so it heads the newest-first list.
    const observedAt = new Date('2100-01-01T00:00:00Z');
    await models.AirQualityObserved.create({
      _id: `env-aq-99999@${observedAt.toISOString()}`,
      device: { id: 'env-aq-99999', district: '13201' },
      observedAt,
      no2: 10,
      pm10: 10,
      pm25: 5,
      o3: 10,
      source: { kind: 'partner', id: 'partner-test' },
      receivedAt: observedAt,
      quality: { flags: [], score: 1 },
    });
    try {
      const result = await executeAs(
        logged,
        '{ airQualityReadings(first: 1) { nodes { id station { id } } } }',
      );
      expect(result.errors?.[0]?.extensions?.['code']).toBe(
        'INTERNAL_SERVER_ERROR',
      );
      expect(lines.join('')).toContain(
        'air-quality station \\"env-aq-99999\\" is referenced but missing',
      );
    } finally {
      await models.AirQualityObserved.deleteOne({
        'device.id': 'env-aq-99999',
      }).exec();
      await logged.apollo.stop();
    }
  });

  it('refuses bad local hours with every problem listed', async () => {
    const result = await executeAs(
      server,
      '{ airQualityRanking(pollutant: O3, localHours: [8, 8, 25]) { rank } }',
    );
    expect(result.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toMatch(/0 to 23.*25.*repeat/);
  });

  it('ranks where water is lost, the district with a running leak first', async () => {
    db.resetCommands();
    const result = await executeAs(
      server,
      '{ waterLossRanking(range: { from: "2026-11-20T00:00:00Z" }) { district { code } lossRate inflow { value unit } consumption { value } loss { value } } }',
    );
    expect(result.errors).toBeUndefined();
    const ranking = result.data?.['waterLossRanking'] as {
      district: { code: string };
      lossRate: number;
      inflow: { value: number; unit: string };
      consumption: { value: number };
      loss: { value: number };
    }[];
    expect(ranking.length).toBe(16);
    // 13203 lost the most: a critical leak until the 21st, and a new one
    // since the 22nd (the seed's LEAKS).
    expect(ranking[0]?.district.code).toBe('13203');
    const rates = ranking.map((r) => r.lossRate);
    expect([...rates].sort((a, b) => b - a)).toEqual(rates);
    expect(ranking[0]?.inflow.unit).toBe('m3');
    expect(db.commands()).toEqual(['aggregate water_consumption_rollups']);
  });

  it('refuses a backwards time range with BAD_USER_INPUT and reads nothing', async () => {
    db.resetCommands();
    const result = await executeAs(
      server,
      '{ waterLossRanking(range: { from: "2026-11-22T00:00:00Z", to: "2026-11-21T00:00:00Z" }) { lossRate } }',
    );
    expect(result.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(db.commands()).toEqual([]);
  });

  it("pages through a station's readings newest first without overlap", async () => {
    const query = /* GraphQL */ `
      query ($after: String) {
        airQualityStation(id: "env-aq-13201") {
          readings(
            first: 10
            after: $after
            range: { from: "2026-11-22T00:00:00Z" }
          ) {
            nodes {
              observedAt
              pm25 {
                unit
              }
              index {
                band
              }
            }
            pageInfo {
              hasNextPage
              endCursor
            }
            totalCount
          }
        }
      }
    `;
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const result: TestResult = await executeAs(server, query, { after });
      expect(result.errors).toBeUndefined();
      const page: {
        nodes: { observedAt: string }[];
        pageInfo: { hasNextPage: boolean; endCursor: string };
        totalCount: number;
      } = (
        result.data?.['airQualityStation'] as {
          readings: {
            nodes: { observedAt: string }[];
            pageInfo: { hasNextPage: boolean; endCursor: string };
            totalCount: number;
          };
        }
      ).readings;
      // from is inclusive: 00:00 on the 22nd to 00:00 on the 23rd.
      expect(page.totalCount).toBe(25);
      seen.push(...page.nodes.map((n) => n.observedAt));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen.length).toBe(25);
    expect(new Set(seen).size).toBe(25);
    expect([...seen].sort().reverse()).toEqual(seen);
  });

  it('filters water readings by district and rejects an unknown district or an oversized page', async () => {
    const ok = await executeAs(
      server,
      '{ waterConsumption(district: "13205", first: 3) { nodes { meter { id district { code } } consumption { unit } } totalCount } }',
    );
    expect(ok.errors).toBeUndefined();
    const page = ok.data?.['waterConsumption'] as {
      nodes: { meter: { district: { code: string } } }[];
      totalCount: number;
    };
    expect(page.totalCount).toBe(3 * 96);
    for (const n of page.nodes) expect(n.meter.district.code).toBe('13205');

    const unknown = await executeAs(
      server,
      '{ noiseLevels(district: "75001") { totalCount } }',
    );
    expect(unknown.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    const oversized = await executeAs(
      server,
      '{ renewableEnergyProjects(first: 101) { totalCount } }',
    );
    expect(oversized.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  });

  it('hides leak alerts from anonymous callers and citizens, shows them to environment staff', async () => {
    const query = `{ waterLeakAlerts(status: OPEN) { totalCount nodes { id severity meter { id } } } district: ${districtEntities(['13203'])} { ... on District { openLeakAlerts waterBalance { lossRate } } } }`;
    db.resetCommands();
    const anonymous = await executeAs(server, query);
    expect(anonymous.data?.['waterLeakAlerts']).toBeNull();
    expect((anonymous.data?.['district'] as unknown[])[0]).toMatchObject({
      openLeakAlerts: null,
    });
    expect(anonymous.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect(db.commands()).not.toContain('find water_leak_alerts');
    expect(db.commands()).not.toContain('aggregate water_leak_alerts');

    const asCitizen = await executeAs(server, query, {}, citizen);
    expect(asCitizen.data?.['waterLeakAlerts']).toBeNull();
    expect(asCitizen.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');

    const asStaff = await executeAs(server, query, {}, staff);
    expect(asStaff.errors).toBeUndefined();
    const open = seed.alerts.filter((a) => a.status === 'OPEN');
    expect(asStaff.data?.['waterLeakAlerts']).toMatchObject({
      totalCount: open.length,
    });
    expect((asStaff.data?.['district'] as unknown[])[0]).toMatchObject({
      openLeakAlerts: open.filter((a) => a.district === '13203').length,
    });
  });

  it('refuses an invalid acknowledgement with every problem listed and changes nothing', async () => {
    const open = seed.alerts.find((a) => a.status === 'OPEN');
    expect(open).toBeDefined();
    const result = await executeAs(
      server,
      'mutation { acknowledgeLeakAlert(id: "leak-1", note: "   ") { id } }',
      {},
      staff,
    );
    expect(result.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toMatch(/id must be.*note must be/);
    const anonymous = await executeAs(
      server,
      `mutation { acknowledgeLeakAlert(id: "${open?._id}", note: "on it") { id } }`,
    );
    expect(anonymous.data?.['acknowledgeLeakAlert']).toBeNull();
    expect(anonymous.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    const stored = await models.WaterLeakAlert.findById(open?._id)
      .lean()
      .exec();
    expect(stored?.status).toBe('OPEN');
    expect(stored?.acknowledgedBy).toBeNull();
  });

  it('lets environment staff acknowledge an open leak alert once', async () => {
    const open = seed.alerts.find((a) => a.status === 'OPEN');
    const mutation = `mutation($note: String!) { acknowledgeLeakAlert(id: "${open?._id}", note: $note) { id status acknowledgedBy note acknowledgedAt } }`;
    const result = await executeAs(
      server,
      mutation,
      { note: '  Équipe envoyée rue de la République.  ' },
      staff,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.['acknowledgeLeakAlert']).toMatchObject({
      id: open?._id,
      status: 'ACKNOWLEDGED',
      acknowledgedBy: 'env-agent-42',
      note: 'Équipe envoyée rue de la République.',
    });
    const again = await executeAs(
      server,
      mutation,
      { note: 'second try' },
      createViewer('env-agent-43', ['environment:staff']),
    );
    expect(again.errors?.[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      reason: 'INVALID_TRANSITION',
      currentState: 'ACKNOWLEDGED',
    });
    expect(again.errors?.[0]?.message).toContain('is ACKNOWLEDGED');
    const stored = await models.WaterLeakAlert.findById(open?._id)
      .lean()
      .exec();
    expect(stored?.acknowledgedBy).toBe('env-agent-42');
  });
});
