/**
 * Test support (not for production code): errors as docs/errors.md says,
 * through the gateway. An argument that cannot name anything (a district code
 * outside 13201–13216, a page over 100) is BAD_USER_INPUT and costs its own
 * field only; a well-formed id that names nothing answers null without error.
 */
import {
  getNamedType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { cityClientSchema } from '../../lib/tooling/clientSchema.js';
import type { CityGraph } from './cityGraph.js';

/** Root fields with a `district` argument and no other required argument. */
function rootFieldsFilteredByDistrict(): GraphQLField<unknown, unknown>[] {
  const query = cityClientSchema().getQueryType();
  return Object.values(query?.getFields() ?? {}).filter(
    (field) =>
      field.args.some((a) => a.name === 'district') &&
      field.args.every((a) => a.name === 'district' || !isNonNullType(a.type)),
  );
}

/** Defines the argument-error scenarios against a started city graph. */
export function defineArgumentErrorScenarios(graph: () => CityGraph): void {
  describe('errors of bad arguments', () => {
    it('refuses an unknown district code on every root field that filters by district, costing that field only', async () => {
      const fields = rootFieldsFilteredByDistrict();
      expect(fields.length).toBeGreaterThan(10);
      let refusedForTheCode = 0;
      for (const field of fields) {
        const selection = isObjectType(getNamedType(field.type))
          ? '{ __typename }'
          : '';
        const result = await graph().query(
          `{ bad: ${field.name}(district: "99999") ${selection} districts { code } }`,
        );
        expect(result.data?.['bad'], field.name).toBeNull();
        expect((result.data?.['districts'] as unknown[]).length).toBe(16);
        // A protected field refuses an anonymous caller before it reads its
        // arguments (UNAUTHENTICATED): that too costs the field only.
        const errors = result.errors?.map((e) => [
          e.path?.[0],
          e.extensions?.['code'],
        ]);
        expect(
          [[['bad', 'BAD_USER_INPUT']], [['bad', 'UNAUTHENTICATED']]],
          field.name,
        ).toContainEqual(errors);
        if (errors?.[0]?.[1] === 'BAD_USER_INPUT') refusedForTheCode++;
      }
      expect(refusedForTheCode).toBeGreaterThan(10);
    });

    it('refuses a bad page size on a nested connection: that connection is null, its parent and the list around it stand', async () => {
      const result = await graph().query(/* GraphQL */ `
        {
          trafficSensor(id: "mob-ts-13201-01") {
            roadName
            readings(first: 1000) {
              nodes {
                id
              }
            }
          }
          airQualityStations(first: 2) {
            nodes {
              id
              readings(first: 0) {
                totalCount
              }
            }
          }
        }
      `);
      expect(result.data?.['trafficSensor']).toEqual({
        roadName: expect.any(String),
        readings: null,
      });
      const stations = (
        result.data?.['airQualityStations'] as {
          nodes: { id: string; readings: unknown }[];
        }
      ).nodes;
      expect(stations).toHaveLength(2);
      for (const station of stations) expect(station.readings).toBeNull();
      expect(
        new Set(result.errors?.map((e) => e.extensions?.['code'])),
      ).toEqual(new Set(['BAD_USER_INPUT']));
      expect(result.errors).toHaveLength(3);
    });

    it('answers null without error for a well-formed id that names nothing, and BAD_USER_INPUT for a district code that cannot exist', async () => {
      const result = await graph().query(
        '{ trafficSensor(id: "mob-ts-13201-99") { id } business(id: "eco-biz-13201-999") { id } district(code: "99999") { id } }',
      );
      expect(result.data).toEqual({
        trafficSensor: null,
        business: null,
        district: null,
      });
      expect(
        result.errors?.map((e) => [e.path?.[0], e.extensions?.['code']]),
      ).toEqual([['district', 'BAD_USER_INPUT']]);
    });
  });
}
