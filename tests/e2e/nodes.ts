/**
 * Test support (not for production code): Global Object Identification
 * through the gateway (docs/decisions/0010-global-object-identification.md).
 * Every `Node` type's seeded ids have its own form, `node(id:)` refetches
 * each of them with its owner's fields, `nodes(ids:)` keeps the order, and
 * a bad id costs its own field only.
 */
import { describe, expect, it } from 'vitest';
import {
  NODE_ID_FORMS,
  nodeTypeOf,
  type NodeType,
} from '../../lib/subgraph-kit/nodeIds.js';
import type { CityGraph } from './cityGraph.js';
import { seedCount } from '../../lib/subgraph-kit/seedPlan.js';

/** Every `id` value in an answer, depth first. */
function idsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(idsIn);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, v]) =>
    key === 'id' && typeof v === 'string' ? [v] : idsIn(v),
  );
}

/** A query that lists seeded ids of each `Node` type, and only those. */
const ID_SOURCES: Record<NodeType, string> = {
  District: '{ districts { id } }',
  TrafficSensor: '{ trafficSensors(first: 100) { nodes { id } } }',
  TrafficLight: '{ trafficLights(first: 100) { nodes { id } } }',
  BikeStation: '{ bikeStations(first: 100) { nodes { id } } }',
  TransitLine: '{ transitLines { id } }',
  TransitStop: '{ transitLines { stops { id } } }',
  AirQualityStation: '{ airQualityStations(first: 100) { nodes { id } } }',
  WaterMeter: '{ waterMeters(first: 100) { nodes { id } } }',
  RenewableEnergyProject:
    '{ renewableEnergyProjects(first: 100) { nodes { id } } }',
  Business: '{ businesses(first: 100) { nodes { id } } }',
  Startup: '{ startups(first: 100) { nodes { id } } }',
  InnovationHub: '{ innovationHubs { id } }',
  Workshop: '{ workshops(first: 100) { nodes { id } } }',
  TrainingProgram: '{ trainingPrograms { id } }',
  CitizenReport: '{ citizenReports(first: 100) { nodes { id } } }',
  Survey: '{ surveys(first: 100) { nodes { id } } }',
};

/** Defines the object-identification scenarios against a started city graph. */
export function defineNodeScenarios(graph: () => CityGraph): void {
  describe('object identification (node, nodes)', () => {
    const seeded = new Map<NodeType, string[]>();
    const idsOf = async (type: NodeType): Promise<string[]> => {
      const known = seeded.get(type);
      if (known) return known;
      const result = await graph().query(ID_SOURCES[type]);
      expect(result.errors).toBeUndefined();
      const ids = [...new Set(idsIn(result.data))];
      seeded.set(type, ids);
      return ids;
    };

    it("gives every seeded object of every Node type an id of its own type's form, and of no other", async () => {
      for (const type of Object.keys(NODE_ID_FORMS) as NodeType[]) {
        const ids = await idsOf(type);
        expect(ids.length, type).toBeGreaterThan(0);
        for (const id of ids) expect(nodeTypeOf(id), id).toBe(type);
      }
    });

    it("refetches one object of each Node type by its id alone, with its owner's fields", async () => {
      const ids = await Promise.all(
        (Object.keys(NODE_ID_FORMS) as NodeType[]).map(
          async (type) => [type, (await idsOf(type))[0]] as const,
        ),
      );
      const result = await graph().query(
        /* GraphQL */ `
          query Refetch($ids: [ID!]!) {
            nodes(ids: $ids) {
              __typename
              id
              ... on TrafficSensor {
                roadName
              }
              ... on District {
                name
              }
              ... on Business {
                name
              }
              ... on Workshop {
                title
              }
              ... on AirQualityStation {
                name
              }
            }
          }
        `,
        { ids: ids.map(([, id]) => id) },
      );
      expect(result.errors).toBeUndefined();
      const nodes = result.data?.['nodes'] as Record<string, unknown>[];
      expect(nodes.map((n) => [n['__typename'], n['id']])).toEqual(ids);
      const byType = new Map(nodes.map((n) => [n['__typename'], n]));
      expect(byType.get('TrafficSensor')?.['roadName']).toEqual(
        expect.any(String),
      );
      expect(byType.get('District')?.['name']).toMatch(/Marseille 1er/);
      expect(byType.get('Business')?.['name']).toEqual(expect.any(String));
      expect(byType.get('Workshop')?.['title']).toEqual(expect.any(String));
      expect(byType.get('AirQualityStation')?.['name']).toEqual(
        expect.any(String),
      );
    });

    it("answers node(id:) with the same object as the type's own lookup", async () => {
      const result = await graph().query(/* GraphQL */ `
        {
          node(id: "mob-ts-13201-01") {
            id
            ... on TrafficSensor {
              roadName
              district {
                code
                name
              }
            }
          }
          trafficSensor(id: "mob-ts-13201-01") {
            id
            roadName
            district {
              code
              name
            }
          }
          district: node(id: "13203") {
            id
            ... on District {
              code
              businessCount
            }
          }
        }
      `);
      expect(result.errors).toBeUndefined();
      expect(result.data?.['node']).toEqual(result.data?.['trafficSensor']);
      expect(result.data?.['district']).toMatchObject({
        id: '13203',
        code: '13203',
        businessCount: seedCount('businesses', '13203'),
      });
    });

    it('answers null, without error, for an id of a Node form that names nothing', async () => {
      const result = await graph().query(
        '{ node(id: "mob-ts-13299-77") { id ... on TrafficSensor { roadName } } nodes(ids: ["eco-biz-13201-999", "13201"]) { id ... on Business { name } ... on District { name } } }',
      );
      expect(result.errors).toBeUndefined();
      expect(result.data?.['node']).toBeNull();
      expect(result.data?.['nodes']).toEqual([
        null,
        { id: '13201', name: 'Marseille 1er Arrondissement' },
      ]);
    });

    it('refuses an id of no Node form with BAD_USER_INPUT, and the rest of the answer stands', async () => {
      const result = await graph().query(
        '{ node(id: "nope") { id } nodes(ids: ["13201", "42"]) { id } districts { code } }',
      );
      expect(result.data?.['node']).toBeNull();
      expect(result.data?.['nodes']).toBeNull();
      expect((result.data?.['districts'] as unknown[]).length).toBe(16);
      expect(
        result.errors?.map((e) => [e.path?.[0], e.extensions?.['code']]),
      ).toEqual(
        expect.arrayContaining([
          ['node', 'BAD_USER_INPUT'],
          ['nodes', 'BAD_USER_INPUT'],
        ]),
      );
    });

    it('lets a client ask any object for its Node id through a fragment on the interface', async () => {
      const result = await graph().query(
        '{ workshops(first: 1) { nodes { ... on Node { id } hostHub { ... on Node { id } } } } }',
      );
      expect(result.errors).toBeUndefined();
      const workshop = (
        result.data?.['workshops'] as { nodes: { id: string }[] }
      ).nodes[0];
      expect(nodeTypeOf(workshop?.id ?? '')).toBe('Workshop');
    });
  });
}
