import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  batchLiveQuery,
  buildLiveOperation,
  LiveOperationError,
} from '../../src/subscriptions/liveQuery.js';

const schema = buildSchema(/* GraphQL */ `
  type Query {
    trafficLight(id: ID!): TrafficLight
  }
  type TrafficLight {
    id: ID!
    name: String!
    plan(detailed: Boolean): String
  }
  type Subscription {
    signalPlanChanged(trafficLightId: ID!): TrafficLight
  }
`);
const lookup = (field: string) =>
  field === 'signalPlanChanged'
    ? { queryField: 'trafficLight', argument: 'id' }
    : undefined;

describe('buildLiveOperation', () => {
  it('moves the selection onto the lookup under the same response key, keeping the variables it uses', () => {
    const op = buildLiveOperation(
      schema,
      parse(/* GraphQL */ `
        subscription Watch($light: ID!, $detailed: Boolean) {
          changed: signalPlanChanged(trafficLightId: $light) {
            ...Light
            plan(detailed: $detailed)
          }
        }
        fragment Light on TrafficLight {
          id
          name
        }
      `),
      undefined,
      { light: 'mob-tl-13201-01', detailed: true },
      lookup,
    );
    expect(op.field).toBe('signalPlanChanged');
    expect(op.args).toEqual({ trafficLightId: 'mob-tl-13201-01' });
    expect(op.operationName).toBe('Watch');
    // $light only fed the subscription's argument: gone with it.
    expect(op.variables).toEqual({ detailed: true });
    expect(op.query).toBe(
      [
        'query Watch($detailed: Boolean, $liveEntityId: ID!) {',
        '  changed: trafficLight(id: $liveEntityId) {',
        '    ...Light',
        '    plan(detailed: $detailed)',
        '  }',
        '}',
        '',
        'fragment Light on TrafficLight {',
        '  id',
        '  name',
        '}',
      ].join('\n'),
    );
  });

  it.each([
    [
      '{ trafficLight(id: "x") { id } }',
      'BAD_REQUEST',
      /send query operations over HTTP POST/,
    ],
    [
      'subscription { nope { id } }',
      'GRAPHQL_VALIDATION_FAILED',
      /no field "nope"/,
    ],
    [
      'subscription A { signalPlanChanged(trafficLightId: "x") { id } } subscription B { signalPlanChanged(trafficLightId: "y") { id } }',
      'BAD_USER_INPUT',
      /exactly one operation/,
    ],
    [
      'subscription { ... on Subscription { signalPlanChanged(trafficLightId: "x") { id } } }',
      'GRAPHQL_VALIDATION_FAILED',
      /without a fragment at its root/,
    ],
    [
      'subscription ($l: ID!) { signalPlanChanged(trafficLightId: $l) { id } }',
      'BAD_USER_INPUT',
      /\$l/,
    ],
  ])('refuses %s with %s', (document, code, message) => {
    let error: unknown;
    try {
      buildLiveOperation(schema, parse(document), undefined, {}, lookup);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LiveOperationError);
    expect((error as LiveOperationError).code).toBe(code);
    expect((error as LiveOperationError).message).toMatch(message);
  });
});

describe('batchLiveQuery', () => {
  it('repeats the lookup under one alias and id variable per event, keeping the other variables and fragments', () => {
    const op = buildLiveOperation(
      schema,
      parse(
        'subscription W($d: Boolean) { signalPlanChanged(trafficLightId: "x") { ...L plan(detailed: $d) } } fragment L on TrafficLight { id }',
      ),
      undefined,
      { d: false },
      lookup,
    );
    expect(op.responseKey).toBe('signalPlanChanged');
    expect(batchLiveQuery(op.query, 2)).toBe(
      [
        'query W($d: Boolean, $liveEntityId0: ID!, $liveEntityId1: ID!) {',
        '  live0: trafficLight(id: $liveEntityId0) {',
        '    ...L',
        '    plan(detailed: $d)',
        '  }',
        '  live1: trafficLight(id: $liveEntityId1) {',
        '    ...L',
        '    plan(detailed: $d)',
        '  }',
        '}',
        '',
        'fragment L on TrafficLight {',
        '  id',
        '}',
      ].join('\n'),
    );
  });
});
