import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { listCostRule } from '../src/listCost.js';

const schema = buildSchema(/* GraphQL */ `
  type Query {
    districts: [District!]!
    trafficSensors(first: Int): SensorConnection
  }
  type District {
    code: ID!
    trafficSensors(first: Int): SensorConnection
  }
  type SensorConnection {
    nodes: [Sensor!]!
  }
  type Sensor {
    id: ID!
    readings(first: Int): ReadingConnection
  }
  type ReadingConnection {
    nodes: [Reading!]!
  }
  type Reading {
    id: ID!
  }
`);

const errors = (query: string) =>
  validate(schema, parse(query), [listCostRule]).map((e) => e.message);

describe('listCostRule', () => {
  it('multiplies list sizes: districts × sensors × readings is refused', () => {
    expect(
      errors(
        '{ districts { trafficSensors(first: 10) { nodes { readings(first: 10) { nodes { id } } } } } }',
      )[0],
    ).toMatch(/too costly/);
  });

  it('accepts a page of 100 with a nested object each', () => {
    expect(
      errors(
        '{ trafficSensors(first: 100) { nodes { id readings(first: 5) { nodes { id } } } } }',
      ),
    ).toEqual([]);
  });

  it('counts a variable page size as the largest page', () => {
    expect(
      errors(
        'query($n: Int) { districts { trafficSensors(first: $n) { nodes { readings(first: 2) { nodes { id } } } } } }',
      )[0],
    ).toMatch(/too costly/);
  });

  it('counts __typename aliases', () => {
    const aliases = Array.from({ length: 30 }, (_, i) => `t${i}: __typename`);
    expect(errors(`{ ${aliases.join(' ')} }`)[0]).toMatch(/aliases/);
  });

  it('caps the number of field selections', () => {
    const fields = Array.from({ length: 600 }, () => '__typename');
    expect(errors(`{ ${fields.join(' ')} }`)[0]).toMatch(/too large/);
  });
});
