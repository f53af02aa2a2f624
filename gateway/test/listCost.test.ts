import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  listCostOf,
  listCostRule,
  listCostShape,
  worstCaseListCostRule,
} from '../src/listCost.js';

const schema = buildSchema(/* GraphQL */ `
  type Query {
    districts: [District!]!
    trafficSensors(first: Int): SensorConnection
    nearby(first: Int = 8): [Sensor!]
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

  it('leaves a variable page size to the request, refusing only what no value can bring under the limit', () => {
    const query = (readings: number) =>
      `query($n: Int) { districts { trafficSensors(first: $n) { nodes { readings(first: ${readings}) { nodes { id } } } } } }`;
    // 1 + 16 × (1 + n × (2 + 2 × readings)): at n = 1, 1,649 with 50
    // readings (accepted here, priced per request), 3,249 with 100 (refused
    // whatever n is); counted at n = 100, even 2 readings were over.
    expect(errors(query(2))).toEqual([]);
    expect(errors(query(50))).toEqual([]);
    expect(errors(query(100))[0]).toMatch(/too costly/);
  });

  it('counts a variable page size as the largest page in the worst-case rule', () => {
    expect(
      validate(
        schema,
        parse(
          'query($n: Int) { districts { trafficSensors(first: $n) { nodes { readings(first: 2) { nodes { id } } } } } }',
        ),
        [worstCaseListCostRule],
      )[0]?.message,
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

describe('listCostOf', () => {
  const costOf = (query: string, variables?: Record<string, unknown>) => {
    const document = parse(query);
    const operation = document.definitions.find(
      (d) => d.kind === 'OperationDefinition',
    );
    if (operation?.kind !== 'OperationDefinition') throw new Error('no op');
    const shape = listCostShape(schema, document, operation);
    if (!shape) throw new Error('not priced');
    return listCostOf(shape, variables);
  };
  const NESTED =
    'query($n: Int, $m: Int = 3) { trafficSensors(first: $n) { nodes { id readings(first: $m) { nodes { id } } } } }';

  it('prices the page sizes with the variables: 1 + n × (3 + 2m)', () => {
    expect(costOf(NESTED, { n: 10, m: 5 })).toBe(131);
    expect(costOf(NESTED, { n: 100, m: 100 })).toBe(20_301);
  });

  it('takes a variable default when the variable is omitted, and the default page when `first` is absent or null', () => {
    expect(costOf(NESTED, { n: 10 })).toBe(1 + 10 * 9);
    expect(costOf(NESTED)).toBe(1 + 20 * 9);
    expect(costOf(NESTED, { n: null, m: null })).toBe(1 + 20 * 43);
  });

  it("takes the argument's own default when `first` is absent or its variable omitted", () => {
    expect(costOf('{ nearby { id } }')).toBe(1 + 8);
    expect(costOf('query($k: Int) { nearby(first: $k) { id } }')).toBe(9);
    expect(
      costOf('query($k: Int) { nearby(first: $k) { id } }', { k: 50 }),
    ).toBe(51);
  });

  it('prices literals as the validation rule does, folded into numbers', () => {
    expect(
      costOf(
        '{ districts { trafficSensors(first: 10) { nodes { readings(first: 10) { nodes { id } } } } } }',
      ),
    ).toBe(1 + 16 * (1 + 10 * (2 + 10 * 2)));
  });

  it('clamps integers to 1..100 as the subgraphs bound pages, whatever their sign or size', () => {
    expect(costOf(NESTED, { n: -5, m: 0 })).toBe(1 + 1 * (3 + 2));
    expect(costOf(NESTED, { n: 1e9, m: 2 ** 40 })).toBe(1 + 100 * 203);
  });

  it('gives no figure for a value that is not an integer (variable coercion refuses it)', () => {
    for (const n of ['100', 2.5, true, {}, [3], Number.NaN])
      expect(costOf(NESTED, { n })).toBeNull();
  });

  it('reads only own variables: `$constructor` omitted is its default, not Object.prototype.constructor', () => {
    expect(
      costOf(
        'query($constructor: Int = 2) { trafficSensors(first: $constructor) { nodes { id } } }',
        {},
      ),
    ).toBe(1 + 2 * 2);
  });

  it('multiplies fragments and aliases under a variable page', () => {
    expect(
      costOf(
        'query($n: Int) { trafficSensors(first: $n) { nodes { ...R b: readings(first: 4) { nodes { id } } } } } fragment R on Sensor { a: readings(first: 4) { nodes { ...I } } } fragment I on Reading { id }',
        { n: 10 },
      ),
    ).toBe(1 + 10 * (1 + 2 * (1 + 4 * 2)));
  });

  it('multiplies nested variable pages', () => {
    expect(
      costOf(
        'query($a: Int, $b: Int) { districts { trafficSensors(first: $a) { nodes { readings(first: $b) { nodes { id } } } } } }',
        { a: 10, b: 10 },
      ),
    ).toBe(1 + 16 * (1 + 10 * (2 + 10 * 2)));
  });
});
