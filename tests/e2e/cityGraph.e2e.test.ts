/**
 * End-to-end: localdb, the five subgraphs and the gateway as separate
 * services on free ports; every request goes through the gateway as an
 * internal app's would.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineAccessMatrix } from './accessMatrix.js';
import { defineAttackAndFaultScenarios } from './attackAndFault.js';
import { defineAttackScenarios } from './attacks.js';
import { defineAuditTrailScenarios } from './auditTrail.js';
import { startCityGraph, type CityGraph } from './cityGraph.js';
import { eventually } from './eventually.js';
import { defineOpen311Scenarios } from './open311.js';
import { defineWorkflowScenarios } from './workflows.js';
import { distanceMetres } from '../../lib/ingest/validateObservation.js';
import {
  seedCount,
  seededTrafficSensorIds,
} from '../../lib/subgraph-kit/seedPlan.js';

let graph: CityGraph;

beforeAll(async () => {
  graph = await startCityGraph();
});
afterAll(async () => {
  await graph?.stop();
});

describe('the city graph', () => {
  it('answers one district for all four departments in a single request', async () => {
    const result = await graph.query(/* GraphQL */ `
      query DistrictOverview {
        district(code: "13203") {
          name
          population
          congestion {
            sensorCount
            averageSpeed {
              value
              unit
            }
          }
          airQuality {
            __typename
          }
          businessCount
          digitalInclusion {
            __typename
          }
        }
      }
    `);
    expect(result.errors).toBeUndefined();
    const district = result.data?.['district'] as Record<string, unknown>;
    expect(district).toMatchObject({
      name: 'Marseille 3e Arrondissement',
      // Seeded in proportion to population and land use (seedPlan.ts): 12 and 41.
      congestion: {
        sensorCount: seedCount('trafficSensors', '13203'),
        averageSpeed: { unit: 'km/h' },
      },
      businessCount: seedCount('businesses', '13203'),
    });
    expect(district['airQuality']).toBeTruthy();
    expect(district['digitalInclusion']).toBeTruthy();
  });

  it('follows an air-quality station to its nearby traffic sensors, found from positions (environment → mobility)', async () => {
    const result = await graph.query(
      '{ airQualityStation(id: "env-aq-13201") { id location { lat lon } nearbyTrafficSensors(radiusMeters: 1500) { id roadName location { lat lon } district { code } } } }',
    );
    expect(result.errors).toBeUndefined();
    const station = result.data?.['airQualityStation'] as {
      location: { lat: number; lon: number };
      nearbyTrafficSensors: {
        id: string;
        roadName: string;
        location: { lat: number; lon: number };
        district: { code: string };
      }[];
    };
    const sensors = station.nearbyTrafficSensors;
    expect(sensors.length).toBeGreaterThan(0);
    // Within the radius of the station's location (environment's), nearest first.
    const distances = sensors.map((s) =>
      distanceMetres(station.location, s.location),
    );
    for (const metres of distances) expect(metres).toBeLessThanOrEqual(1500);
    expect([...distances].sort((a, b) => a - b)).toEqual(distances);
    for (const sensor of sensors) {
      expect(sensor.id).toMatch(/^mob-ts-132\d\d-\d\d$/);
      expect(sensor.roadName.length).toBeGreaterThan(0);
    }
  });

  it('follows renewable-energy projects to their operator business (environment → economy)', async () => {
    const result = await graph.query(
      '{ renewableEnergyProjects(first: 10) { nodes { id operator { id name sector { section } } } } }',
    );
    expect(result.errors).toBeUndefined();
    const nodes = (
      result.data?.['renewableEnergyProjects'] as {
        nodes: { operator: { id: string; name: string } | null }[];
      }
    ).nodes;
    const operators = nodes.map((n) => n.operator).filter((o) => o !== null);
    expect(operators.length).toBeGreaterThan(0);
    for (const operator of operators) expect(operator?.id).toMatch(/^eco-biz-/);
  });

  it('follows citizen reports to the traffic light or water meter they are about (engagement → mobility, environment)', async () => {
    const result = await graph.query(
      '{ citizenReports(first: 100) { nodes { id trafficLight { id status } waterMeter { id name } } } }',
    );
    expect(result.errors).toBeUndefined();
    const nodes = (
      result.data?.['citizenReports'] as {
        nodes: {
          trafficLight: { status: string } | null;
          waterMeter: { name: string } | null;
        }[];
      }
    ).nodes;
    expect(nodes.some((n) => n.trafficLight?.status)).toBe(true);
    expect(nodes.some((n) => n.waterMeter?.name)).toBe(true);
  });

  it('shows a traffic light with the citizen reports about it (mobility ← engagement extension)', async () => {
    const reports = await graph.query(
      '{ citizenReports(first: 100) { nodes { trafficLight { id } } } }',
    );
    const lightId = (
      reports.data?.['citizenReports'] as {
        nodes: { trafficLight: { id: string } | null }[];
      }
    ).nodes.find((n) => n.trafficLight)?.trafficLight?.id;
    expect(lightId).toBeDefined();
    const result = await graph.query(
      'query($id: ID!) { trafficLight(id: $id) { id name reports { totalCount nodes { id } } } }',
      {
        id: lightId,
      },
    );
    expect(result.errors).toBeUndefined();
    const light = result.data?.['trafficLight'] as {
      reports: { totalCount: number };
    };
    expect(light.reports.totalCount).toBeGreaterThan(0);
  });

  it('follows workshops to their host startup or hub, and hubs to their nearest transit stop (engagement → economy → mobility)', async () => {
    const result = await graph.query(
      '{ workshops(first: 60) { nodes { id hostStartup { id name } hostHub { id name nearestTransitStop { id name lines { shortName } } } } } }',
    );
    expect(result.errors).toBeUndefined();
    const nodes = (
      result.data?.['workshops'] as {
        nodes: {
          hostStartup: { name: string } | null;
          hostHub: { nearestTransitStop: { name: string } | null } | null;
        }[];
      }
    ).nodes;
    expect(nodes.some((n) => n.hostStartup?.name)).toBe(true);
    expect(nodes.some((n) => n.hostHub?.nearestTransitStop?.name)).toBe(true);
  });

  it('resolves a list of references with one query per entity type (no N+1 behind the gateway)', async () => {
    graph.proxies.mobility.reset();
    const result = await graph.query(
      '{ airQualityStations(first: 16) { nodes { id nearbyTrafficSensors { id roadName } } } }',
    );
    expect(result.errors).toBeUndefined();
    const stations = (
      result.data?.['airQualityStations'] as {
        nodes: { nearbyTrafficSensors: unknown[] }[];
      }
    ).nodes;
    const references = stations.reduce(
      (sum, s) => sum + s.nearbyTrafficSensors.length,
      0,
    );
    expect(references).toBeGreaterThanOrEqual(16);
    expect(graph.proxies.mobility.commands()).toEqual(['find traffic_sensors']);
  });

  it('pages through a list with cursors, without gaps or repeats', async () => {
    const ids: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const result = await graph.query(
        'query($after: String) { trafficSensors(district: "13201", first: 3, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } totalCount } }',
        { after },
      );
      expect(result.errors).toBeUndefined();
      const connection = result.data?.['trafficSensors'] as {
        nodes: { id: string }[];
        pageInfo: { hasNextPage: boolean; endCursor: string };
        totalCount: number;
      };
      expect(connection.totalCount).toBe(seedCount('trafficSensors', '13201'));
      ids.push(...connection.nodes.map((n) => n.id));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(ids).toEqual(seededTrafficSensorIds('13201'));
  });

  it('answers bad input with BAD_USER_INPUT and a clear message', async () => {
    const tooMany = await graph.query(
      '{ trafficSensors(first: 101) { nodes { id } } }',
    );
    expect(tooMany.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(tooMany.errors?.[0]?.message).toMatch(/first/);
    const badCursor = await graph.query(
      '{ trafficSensors(after: "not-a-cursor") { nodes { id } } }',
    );
    expect(badCursor.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    const badDistrict = await graph.query(
      '{ businesses(district: "13299") { nodes { id } } }',
    );
    expect(badDistrict.errors?.[0]?.extensions?.['code']).toBe(
      'BAD_USER_INPUT',
    );
    for (const error of [
      ...(tooMany.errors ?? []),
      ...(badCursor.errors ?? []),
    ]) {
      expect(error.extensions?.['stacktrace']).toBeUndefined();
    }
  });

  it('refuses operations over the depth, alias and cost limits before any subgraph is called', async () => {
    let deep = 'name';
    for (let i = 0; i < 5; i++)
      deep = `trafficSensors(first: 2) { nodes { district { ${deep} } } }`;
    graph.proxies.mobility.reset();
    const tooDeep = await graph.query(`{ districts { ${deep} } }`);
    expect(tooDeep.errors?.[0]?.extensions?.['code']).toBe(
      'GRAPHQL_VALIDATION_FAILED',
    );
    expect(tooDeep.data ?? null).toBeNull();
    const aliases = Array.from(
      { length: 30 },
      (_, i) => `a${i}: trafficSensors(first: 100) { totalCount }`,
    ).join(' ');
    const tooManyAliases = await graph.query(`{ ${aliases} }`);
    expect(tooManyAliases.errors?.[0]?.extensions?.['code']).toBe(
      'GRAPHQL_VALIDATION_FAILED',
    );
    expect(graph.proxies.mobility.commands()).toEqual([]);
  });

  it('refuses a body that is not JSON with 400', async () => {
    const response = await fetch(graph.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(response.status).toBe(400);
  });

  it('hides signal plans from anonymous callers and serves them to mobility staff', async () => {
    const query =
      '{ trafficLight(id: "mob-tl-13201-01") { id signalPlan { cycleSeconds } } }';
    const anonymous = await graph.query(query);
    expect(anonymous.data?.['trafficLight']).toEqual({
      id: 'mob-tl-13201-01',
      signalPlan: null,
    });
    expect(anonymous.errors?.map((e) => e.extensions?.['code'])).toEqual([
      'UNAUTHENTICATED',
    ]);
    const staff = await graph.query(
      query,
      {},
      { token: await graph.token('agent-7', ['mobility:staff']) },
    );
    expect(staff.errors).toBeUndefined();
    expect(staff.data?.['trafficLight']).toEqual({
      id: 'mob-tl-13201-01',
      signalPlan: { cycleSeconds: 90 },
    });
  });

  it('refuses a subgraph called directly, without or with a forged gateway token', async () => {
    const url = `http://127.0.0.1:${graph.ports.engagement}/graphql`;
    const body = JSON.stringify({
      query: '{ citizenReports(first: 1) { nodes { reporterEmail } } }',
    });
    const direct = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const directBody = (await direct.json()) as {
      errors: { extensions: { code: string } }[];
      data?: unknown;
    };
    expect(directBody.errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
    expect(directBody.data).toBeUndefined();
    const forgedToken = await graph.token('attacker', ['engagement:pii']);
    const forged = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-gateway-token': forgedToken,
      },
      body,
    });
    const forgedBody = (await forged.json()) as {
      errors: { extensions: { code: string } }[];
      data?: unknown;
    };
    expect(forgedBody.errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
    expect(forgedBody.data).toBeUndefined();
  });

  it('writes JSON log lines carrying the request id the gateway generated and passed to the subgraph, with the client id apart', async () => {
    const clientId = `e2e-${Date.now()}`;
    const response = await graph.query(
      '{ trafficSensors(first: 1) { nodes { id } } }',
      {},
      { headers: { 'x-request-id': clientId } },
    );
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestId).not.toBe(clientId);
    const parse = (lines: string[]) =>
      lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    // Both lines may be written after the client got its answer.
    await eventually(
      () =>
        parse(graph.logs('mobility')).some(
          (l) => l['requestId'] === requestId,
        ) &&
        parse(graph.logs('gateway')).some(
          (l) => l['clientRequestId'] === clientId,
        ),
    );
    const gatewayLines = parse(graph.logs('gateway'));
    const mobilityLines = parse(graph.logs('mobility'));
    for (const line of [...gatewayLines, ...mobilityLines]) {
      expect(typeof line['level']).toBe('string');
      expect(typeof line['time']).toBe('string');
    }
    expect(
      gatewayLines.some(
        (l) =>
          l['requestId'] === requestId &&
          l['clientRequestId'] === clientId &&
          l['service'] === 'gateway',
      ),
    ).toBe(true);
    expect(
      mobilityLines.some(
        (l) =>
          l['requestId'] === requestId && l['service'] === 'subgraph-mobility',
      ),
    ).toBe(true);
  });

  it('reports readiness of the gateway and of each subgraph', async () => {
    const response = await fetch(
      `http://127.0.0.1:${graph.ports.gateway}/ready`,
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ready',
      mobility: 'up',
      engagement: 'up',
      auditStore: 'reachable',
    });
    const subgraph = await fetch(
      `http://127.0.0.1:${graph.ports.economy}/ready`,
    );
    expect(await subgraph.json()).toMatchObject({
      status: 'ready',
      database: 'reachable',
    });
  });

  it('records protected accesses in the audit trail, readable by auditors', async () => {
    await graph.query(
      'query PlanCheck { trafficLight(id: "mob-tl-13202-01") { signalPlan { name } } }',
    );
    const auditor = await graph.token('auditor-01', ['audit:read']);
    const result = await graph.query(
      '{ auditEvents(filter: { field: "TrafficLight.signalPlan" }, first: 20) { nodes { operationName subject fields { coordinate decision } } } }',
      {},
      { token: auditor, headers: { 'x-data-purpose': 'audit' } },
    );
    expect(result.errors).toBeUndefined();
    const events = (
      result.data?.['auditEvents'] as {
        nodes: {
          operationName: string | null;
          fields: { coordinate: string; decision: string }[];
        }[];
      }
    ).nodes;
    const event = events.find((e) => e.operationName === 'PlanCheck');
    expect(event?.fields).toContainEqual({
      coordinate: 'TrafficLight.signalPlan',
      decision: 'DENIED',
    });
  });

  defineAccessMatrix(() => graph);
  defineAuditTrailScenarios(() => graph);
  defineAttackScenarios(() => graph);

  it('switches to a new supergraph file without a restart, and refuses an invalid one', async () => {
    const original = await readFile(graph.supergraphPath, 'utf8');
    const query = '{ bikeStations(first: 1) { nodes { id freeSlots } } }';
    const waitFor = async (check: () => Promise<boolean>) =>
      eventually(check).then(
        () => true,
        () => false,
      );
    try {
      expect((await graph.query(query)).errors).toBeUndefined();
      // A supergraph without BikeStation.freeSlots: once switched, asking for it is a validation error.
      await writeFile(
        graph.supergraphPath,
        original.replace(/^\s+freeSlots: Int!.*\n/m, ''),
      );
      const switched = await waitFor(
        async () =>
          (await graph.query(query)).errors?.[0]?.extensions?.['code'] ===
          'GRAPHQL_VALIDATION_FAILED',
      );
      expect(switched).toBe(true);
      // An invalid file is refused: the last good supergraph keeps serving.
      await writeFile(graph.supergraphPath, 'this is not a supergraph');
      await eventually(() =>
        graph
          .logs('gateway')
          .some((line) => line.includes('new supergraph refused')),
      );
      expect(
        (await graph.query('{ bikeStations(first: 1) { nodes { id } } }'))
          .errors,
      ).toBeUndefined();
    } finally {
      await writeFile(graph.supergraphPath, original);
    }
    expect(
      await waitFor(
        async () => (await graph.query(query)).errors === undefined,
      ),
    ).toBe(true);
  });

  // Before the faults: they take economy's database away for good.
  defineWorkflowScenarios(() => graph);

  defineAttackAndFaultScenarios(() => graph);

  defineOpen311Scenarios(() => graph);

  // Last: it kills a service.
  it('keeps answering when a department is down: its fields are null with a named error', async () => {
    await graph.kill('economy');
    const result = await graph.query(
      '{ trafficSensor(id: "mob-ts-13201-01") { id roadName district { code businessCount } } }',
    );
    expect(result.data?.['trafficSensor']).toMatchObject({
      id: 'mob-ts-13201-01',
      district: { code: '13201', businessCount: null },
    });
    const error = result.errors?.find(
      (e) => e.extensions?.['serviceName'] === 'economy',
    );
    expect(error?.message, JSON.stringify(result.errors)).toContain('economy');
    expect(error?.message).not.toMatch(/127\.0\.0\.1/);
  });
});
