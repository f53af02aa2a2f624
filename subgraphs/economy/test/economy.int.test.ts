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
import { createViewer } from '../../../lib/runtime/viewer.js';
import { upsertAll } from '../../../lib/subgraph-kit/seeding.js';
import { seedCount } from '../../../lib/subgraph-kit/seedPlan.js';
import { createServer } from '../src/server.js';
import { createModels, type EconomyModels } from '../src/models/index.js';
import { generateEconomySeed, seedEconomy } from '../src/seed.js';
import { isWellFormedSiret } from '../src/naf.js';
import { createRecordingEventPublisher } from '../../../lib/tooling/testing/recordingEventPublisher.js';

/** What the resolvers under test publish. */
const events = createRecordingEventPublisher();

defineSubgraphContractSuite({ name: 'economy', createServer });

const staff = createViewer('eco-agent-1', ['economy:staff']);
const investmentsReader = createViewer('eco-analyst-1', [
  'economy:staff',
  'economy:investments',
]);

describe('economy seed', () => {
  const seed = generateEconomySeed();

  it('generates the deterministic ids other departments reference', () => {
    // 800 businesses shared out by population and activity (seedPlan.ts).
    expect(seed.businesses).toHaveLength(800);
    expect(seed.businesses[0]?._id).toBe('eco-biz-13201-001');
    expect(seed.businesses.at(-1)?._id).toBe(
      `eco-biz-13216-${String(seedCount('businesses', '13216')).padStart(3, '0')}`,
    );
    expect(seed.startups.map((s) => s._id)).toContain('eco-su-40');
    expect(seed.hubs.map((h) => h._id)).toEqual([
      'eco-hub-1',
      'eco-hub-2',
      'eco-hub-3',
      'eco-hub-4',
      'eco-hub-5',
      'eco-hub-6',
    ]);
    expect(generateEconomySeed()).toEqual(seed);
  });

  it('gives every business a unique, well-formed SIRET', () => {
    const numbers = seed.businesses.map((b) => b.registryNumber);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(numbers.every(isWellFormedSiret)).toBe(true);
  });

  it('keeps every hub within its capacity', () => {
    for (const hub of seed.hubs) {
      const hosted = seed.startups.filter((s) => s.hubId === hub._id).length;
      expect(hosted).toBeLessThanOrEqual(hub.capacity);
    }
  });
});

describe('economy subgraph', () => {
  let db: TestDatabase;
  let models: EconomyModels;
  let server: ReturnType<typeof createServer>;
  const seed = generateEconomySeed();

  beforeAll(async () => {
    db = await startTestDatabase('economy-test');
    models = createModels(db.connection);
    await seedEconomy(models);
    // Idempotent: a second run leaves one copy of each document.
    await seedEconomy(models);
    server = createServer({
      connection: db.connection,
      events,
      logger: createSilentLogger(),
    });
    await server.apollo.start();
  });
  afterAll(async () => {
    await server.apollo.stop();
    await db.stop();
  });

  it('seeds idempotently', async () => {
    expect(await models.Business.countDocuments().exec()).toBe(800);
    expect(await models.MarketIndicator.countDocuments().exec()).toBe(384);
    await upsertAll(models.Startup, seed.startups);
    expect(await models.Startup.countDocuments().exec()).toBe(40);
  });

  it('resolves 800 Business, 40 Startup and 6 InnovationHub references with one query per type', async () => {
    const representations = [
      ...seed.businesses.map((b) => ({ __typename: 'Business', id: b._id })),
      ...seed.startups.map((s) => ({ __typename: 'Startup', id: s._id })),
      ...seed.hubs.map((h) => ({ __typename: 'InnovationHub', id: h._id })),
      { __typename: 'Business', id: 'eco-biz-13201-999' },
    ];
    db.resetCommands();
    const result = await executeAs(
      server,
      `query($r: [_Any!]!) { _entities(representations: $r) {
        ... on Business { id registryNumber sector { section } }
        ... on Startup { id name }
        ... on InnovationHub { id name }
      } }`,
      { r: representations },
    );
    expect(result.errors).toBeUndefined();
    const entities = result.data?.['_entities'] as unknown[];
    expect(entities).toHaveLength(847);
    expect(entities.at(-1)).toBeNull();
    expect(db.commands().sort()).toEqual([
      'find businesses',
      'find innovation_hubs',
      'find startups',
    ]);
  });

  it('lists which hubs host which startups with one query per type', async () => {
    db.resetCommands();
    const result = await executeAs(
      server,
      `{ innovationHubs {
          id startupCount
          startups { id hub { id } }
        } }`,
    );
    expect(result.errors).toBeUndefined();
    const hubs = result.data?.['innovationHubs'] as {
      id: string;
      startupCount: number;
      startups: { id: string; hub: { id: string } }[];
    }[];
    expect(hubs).toHaveLength(6);
    expect(hubs.reduce((n, h) => n + h.startupCount, 0)).toBe(38);
    for (const hub of hubs)
      for (const startup of hub.startups) expect(startup.hub.id).toBe(hub.id);
    // The hubs list, then one batch of startups; their `hub` comes from one more batch.
    expect(db.commands()).toEqual([
      'find innovation_hubs',
      'find startups',
      'find innovation_hubs',
    ]);
  });

  it('answers every district its business count and sector breakdown with one aggregation', async () => {
    db.resetCommands();
    const result = await executeAs(
      server,
      `{ districts: ${districtEntities()} { ... on District { code businessCount
          sectorBreakdown { sector { section label } businessCount share } } } }`,
    );
    expect(result.errors).toBeUndefined();
    const districts = result.data?.['districts'] as {
      code: string;
      businessCount: number;
      sectorBreakdown: { businessCount: number; share: number }[];
    }[];
    expect(districts).toHaveLength(16);
    for (const d of districts) {
      const seeded = seed.businesses.filter((b) => b.district === d.code);
      expect(d.businessCount).toBe(seeded.length);
      expect(
        d.sectorBreakdown.reduce((n, row) => n + row.businessCount, 0),
      ).toBe(seeded.length);
    }
    expect(db.commands()).toEqual(['aggregate businesses']);
  });

  it("pages through a district's businesses of one sector without overlap", async () => {
    const expected = seed.businesses
      .filter((b) => b.district === '13202' && b.sector === 'J')
      .map((b) => b._id);
    expect(expected.length).toBeGreaterThan(1);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const result: TestResult = await executeAs(
        server,
        `query($after: String) { district: ${districtEntities(['13202'])} { ... on District {
          businesses(sector: J, first: 1, after: $after) {
            nodes { id sector { section } }
            pageInfo { hasNextPage endCursor }
            totalCount
        } } } }`,
        { after },
      );
      expect(result.errors).toBeUndefined();
      const page = (
        (result.data?.['district'] as unknown[])[0] as {
          businesses: {
            nodes: { id: string }[];
            pageInfo: { hasNextPage: boolean; endCursor: string };
            totalCount: number;
          };
        }
      ).businesses;
      expect(page.totalCount).toBe(expected.length);
      seen.push(...page.nodes.map((n) => n.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
  });

  it('rejects a page size over the maximum, an unknown district and a backwards range with BAD_USER_INPUT', async () => {
    for (const query of [
      '{ businesses(first: 101) { nodes { id } } }',
      '{ businesses(district: "75001") { nodes { id } } }',
      '{ marketIndicators(range: { from: "2026-06-01T00:00:00Z", to: "2026-01-01T00:00:00Z" }) { nodes { id } } }',
      '{ sectorGrowth(first: 500) { netChange } }',
      '{ businessByRegistryNumber(registryNumber: "12") { id } }',
    ]) {
      const result = await executeAs(server, query);
      expect(result.errors?.[0]?.extensions?.['code'], query).toBe(
        'BAD_USER_INPUT',
      );
    }
  });

  it('filters market indicators by district and range, newest first, with units', async () => {
    const result = await executeAs(
      server,
      `{ marketIndicators(district: "13201",
           range: { from: "2026-01-01T00:00:00Z", to: "2026-07-01T00:00:00Z" }) {
          totalCount
          nodes { month observedAt netCreation businessOpenings businessClosures
                  employment { unit } vacancyRate { unit } }
        } }`,
    );
    expect(result.errors).toBeUndefined();
    const page = result.data?.['marketIndicators'] as {
      totalCount: number;
      nodes: {
        month: string;
        observedAt: string;
        netCreation: number;
        businessOpenings: number;
        businessClosures: number;
        employment: { unit: string };
        vacancyRate: { unit: string };
      }[];
    };
    expect(page.totalCount).toBe(6);
    expect(page.nodes.map((n) => n.month)).toEqual([
      '2026-06',
      '2026-05',
      '2026-04',
      '2026-03',
      '2026-02',
      '2026-01',
    ]);
    expect(page.nodes[0]).toMatchObject({
      observedAt: '2026-07-01T00:00:00.000Z',
      employment: { unit: '{jobs}' },
      vacancyRate: { unit: '%' },
    });
    for (const n of page.nodes)
      expect(n.netCreation).toBe(n.businessOpenings - n.businessClosures);
  });

  it('ranks which sectors grow where from openings minus closures', async () => {
    const from = new Date('2026-01-01T00:00:00Z');
    const totals = new Map<string, number>();
    for (const mi of seed.indicators) {
      if (mi.periodStart < from) continue;
      for (const flow of mi.sectorFlows) {
        const key = `${mi.district}/${flow.sector}`;
        totals.set(key, (totals.get(key) ?? 0) + flow.openings - flow.closures);
      }
    }
    const best = Math.max(...totals.values());
    const result = await executeAs(
      server,
      `{ sectorGrowth(range: { from: "2026-01-01T00:00:00Z" }, first: 5) {
          district { code } sector { section } openings closures netChange } }`,
    );
    expect(result.errors).toBeUndefined();
    const rows = result.data?.['sectorGrowth'] as {
      district: { code: string };
      sector: { section: string };
      netChange: number;
    }[];
    expect(rows).toHaveLength(5);
    expect(rows[0]?.netChange).toBe(best);
    expect(
      totals.get(`${rows[0]?.district.code}/${rows[0]?.sector.section}`),
    ).toBe(best);
    const nets = rows.map((r) => r.netChange);
    expect([...nets].sort((a, b) => b - a)).toEqual(nets);
  });

  it('hides investment amounts from anonymous callers and economy staff, and shows them with economy:investments', async () => {
    const query = `{ startup(id: "eco-su-01") {
        name totalRaised { value unit }
        investments { totalCount nodes { round investor date amount { value unit } } }
      } }`;
    const anonymous = await executeAs(server, query);
    const startup = anonymous.data?.['startup'] as {
      totalRaised: unknown;
      investments: {
        totalCount: number;
        nodes: { round: string; amount: unknown }[];
      };
    };
    expect(startup.totalRaised).toBeNull();
    expect(startup.investments.totalCount).toBeGreaterThan(0);
    expect(startup.investments.nodes.every((n) => n.amount === null)).toBe(
      true,
    );
    expect(
      anonymous.errors?.every(
        (e) => e.extensions?.['code'] === 'UNAUTHENTICATED',
      ),
    ).toBe(true);

    const asStaff = await executeAs(server, query, {}, staff);
    expect(asStaff.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');

    const allowed = await executeAs(server, query, {}, investmentsReader);
    expect(allowed.errors).toBeUndefined();
    const expectedTotal = seed.investments
      .filter((i) => i.startupId === 'eco-su-01')
      .reduce((sum, i) => sum + i.amount, 0);
    expect(allowed.data?.['startup']).toMatchObject({
      totalRaised: { value: expectedTotal, unit: 'EUR' },
    });
  });

  it('does not leak investment amounts through entity references', async () => {
    const result = await executeAs(
      server,
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Startup { id totalRaised { value } } } }',
      { r: [{ __typename: 'Startup', id: 'eco-su-01' }] },
      staff,
    );
    expect(result.data?.['_entities']).toEqual([
      { id: 'eco-su-01', totalRaised: null },
    ]);
    expect(result.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });

  it('answers a round whose startup is missing with INTERNAL_SERVER_ERROR and logs the dangling reference', async () => {
    const lines: string[] = [];
    const logged = createServer({
      connection: db.connection,
      events,
      logger: createLogger({
        service: 'subgraph-economy-test',
        destination: { write: (line: string) => void lines.push(line) },
      }),
    });
    await logged.apollo.start();
    await models.Investment.create({
      _id: 'eco-inv-99-1',
      startupId: 'eco-su-99',
      investor: 'Fonds Test',
      round: 'SEED',
      date: new Date('2026-01-15T00:00:00Z'),
      amount: 1000,
    });
    try {
      const result = await executeAs(
        logged,
        '{ investments(startup: "eco-su-99") { nodes { id startup { id } } } }',
      );
      expect(result.errors?.[0]?.extensions?.['code']).toBe(
        'INTERNAL_SERVER_ERROR',
      );
      expect(lines.join('')).toContain(
        'startup \\"eco-su-99\\" is referenced but missing',
      );
    } finally {
      await models.Investment.deleteOne({ _id: 'eco-inv-99-1' }).exec();
      await logged.apollo.stop();
    }
  });

  const registerMutation = /* GraphQL */ `
    mutation ($input: RegisterBusinessInput!) {
      registerBusiness(input: $input) {
        id
        registryNumber
        siren
        name
        sector {
          section
        }
        registeredBy
      }
    }
  `;
  const validInput = {
    registryNumber: '99900001100018',
    name: '  Savonnerie du Sud  ',
    sector: 'C',
    sizeBand: 'SMALL',
    founded: '2026-03-01T00:00:00Z',
    district: '13201',
    location: { lat: 43.3, lon: 5.38 },
  };

  it('refuses registration to anonymous callers without touching the database', async () => {
    db.resetCommands();
    const result = await executeAs(server, registerMutation, {
      input: validInput,
    });
    expect(result.data?.['registerBusiness']).toBeNull();
    expect(result.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect(db.commands()).toEqual([]);
  });

  it('refuses an invalid business with every problem listed and writes nothing', async () => {
    db.resetCommands();
    const result = await executeAs(
      server,
      registerMutation,
      {
        input: {
          ...validInput,
          registryNumber: '99900001100019',
          name: '   ',
          founded: '2999-01-01T00:00:00Z',
          district: '75001',
          location: { lat: 48.85, lon: 2.35 },
        },
      },
      staff,
    );
    expect(result.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toMatch(
      /registryNumber.*name.*future.*district.*location/,
    );
    expect(
      (result.errors?.[0]?.extensions?.['problems'] as string[]).length,
    ).toBe(5);
    expect(db.commands()).toEqual([]);
  });

  it('registers a valid business for economy staff, then refuses the same registry number with BAD_USER_INPUT', async () => {
    const created = await executeAs(
      server,
      registerMutation,
      { input: validInput },
      staff,
    );
    expect(created.errors).toBeUndefined();
    expect(created.data?.['registerBusiness']).toEqual({
      // The district's next number after the seeded ones.
      id: `eco-biz-13201-${String(seedCount('businesses', '13201') + 1).padStart(3, '0')}`,
      registryNumber: '99900001100018',
      siren: '999000011',
      name: 'Savonnerie du Sud',
      sector: { section: 'C' },
      registeredBy: 'eco-agent-1',
    });
    const before = await models.Business.countDocuments().exec();

    const duplicate = await executeAs(
      server,
      registerMutation,
      {
        input: {
          ...validInput,
          district: '13205',
          location: { lat: 43.29, lon: 5.4 },
        },
      },
      staff,
    );
    expect(duplicate.data?.['registerBusiness']).toBeNull();
    expect(duplicate.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(duplicate.errors?.[0]?.message).toContain('already registered');
    expect(await models.Business.countDocuments().exec()).toBe(before);
  });
});
