/**
 * The request metrics: operations counted by name, type and outcome, error
 * codes counted, root fields timed, and caller-chosen operation names capped.
 */
import { ApolloServer } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { boundedLabel, metricsRegistry } from '../../runtime/metrics.js';
import { metricsPlugin } from '../../runtime/metricsPlugin.js';

/** The sum of a family's samples with these labels (`series`: a histogram's `_count`, ...). */
async function sample(
  name: string,
  labels: Record<string, string>,
  series = name,
) {
  const metric = metricsRegistry.getSingleMetric(name);
  const values = (await metric?.get())?.values ?? [];
  return values
    .filter(
      (value) =>
        ((value as { metricName?: string }).metricName ?? name) === series,
    )
    .filter((value) =>
      Object.entries(labels).every(
        ([key, expected]) =>
          (value.labels as Record<string, unknown>)[key] === expected,
      ),
    )
    .reduce((sum, value) => sum + value.value, 0);
}

describe('metricsPlugin', () => {
  const server = new ApolloServer({
    typeDefs: /* GraphQL */ `
      type Query {
        district: String
        secret: String
      }
    `,
    resolvers: {
      Query: {
        district: () => '13201',
        secret: () => {
          throw new GraphQLError('no', { extensions: { code: 'FORBIDDEN' } });
        },
      },
    },
    plugins: [metricsPlugin({ rootFields: true })],
  });

  it('counts operations by name, type and outcome', async () => {
    const before = await sample('graphql_requests_total', {
      operation: 'MetricsOk',
      outcome: 'ok',
    });
    await server.executeOperation({ query: 'query MetricsOk { district }' });
    await server.executeOperation({
      query: 'query MetricsPartial { district secret }',
    });
    expect(
      await sample('graphql_requests_total', {
        operation: 'MetricsOk',
        type: 'query',
        outcome: 'ok',
      }),
    ).toBe(before + 1);
    expect(
      await sample('graphql_requests_total', {
        operation: 'MetricsPartial',
        outcome: 'error',
      }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('counts errors by extensions.code', async () => {
    const before = await sample('graphql_errors_total', { code: 'FORBIDDEN' });
    await server.executeOperation({ query: '{ secret }' });
    expect(await sample('graphql_errors_total', { code: 'FORBIDDEN' })).toBe(
      before + 1,
    );
  });

  it('times root fields, not nested ones', async () => {
    await server.executeOperation({ query: '{ district }' });
    expect(
      await sample(
        'graphql_root_field_duration_seconds',
        { field: 'Query.district' },
        'graphql_root_field_duration_seconds_count',
      ),
    ).toBeGreaterThanOrEqual(1);
  });

  it('caps caller-chosen label values', () => {
    const label = boundedLabel(2);
    expect(['a', 'b', 'c', 'a'].map(label)).toEqual(['a', 'b', 'other', 'a']);
  });
});
