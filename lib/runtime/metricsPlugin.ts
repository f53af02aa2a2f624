/**
 * Request metrics of a GraphQL server (gateway and subgraphs alike): how many
 * operations by name, type and outcome, how long they take, which error codes
 * they answer, and in a subgraph how long each root field (including
 * `_entities`, the gateway's entity fetches) takes. Families are listed in
 * docs/operations.md, "Metrics".
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { boundedLabel, counter, histogram } from './metrics.js';

/** Options of {@link metricsPlugin}. */
export interface MetricsPluginOptions {
  /**
   * Time each root field (subgraphs: which query, mutation or `_entities`
   * fetch costs what). Off at the gateway, whose root fields are planned, not
   * resolved.
   * @default false
   */
  rootFields?: boolean;
}

/** Operation outcomes: `ok` (no error), `error` (errors beside data), `failed` (no data). */
type Outcome = 'ok' | 'error' | 'failed';

/** Records each operation's count, latency and error codes in the process's registry. */
export function metricsPlugin<TContext extends BaseContext>(
  options: MetricsPluginOptions = {},
): ApolloServerPlugin<TContext> {
  const requests = counter(
    'graphql_requests_total',
    'GraphQL operations answered, by operation name, type and outcome (ok, error: errors beside data, failed: no data).',
    ['operation', 'type', 'outcome'],
  );
  const duration = histogram(
    'graphql_request_duration_seconds',
    'Time from receiving a GraphQL operation to sending its response, by operation name and type.',
    ['operation', 'type'],
  );
  const errors = counter(
    'graphql_errors_total',
    'GraphQL errors sent, by extensions.code.',
    ['code'],
  );
  const rootField = histogram(
    'graphql_root_field_duration_seconds',
    'Time to resolve one root field (Query.x, Mutation.x, Query._entities), by field.',
    ['field'],
  );
  const operationLabel = boundedLabel();
  const codeLabel = boundedLabel(50);
  return {
    async requestDidStart() {
      const started = performance.now();
      let operation = 'unparsed';
      let type = 'unknown';
      return {
        async didResolveOperation({ operationName, operation: node }) {
          operation = operationLabel(operationName ?? 'anonymous');
          type = node?.operation ?? 'unknown';
        },
        async executionDidStart() {
          if (!options.rootFields) return;
          return {
            willResolveField({ info }) {
              if (info.path.prev !== undefined) return;
              const end = rootField.startTimer({
                field: `${info.parentType.name}.${info.fieldName}`,
              });
              return () => void end();
            },
          };
        },
        async willSendResponse({ response }) {
          const body = response.body;
          const result = body.kind === 'single' ? body.singleResult : null;
          const sent = result?.errors ?? [];
          for (const error of sent) {
            const code = error.extensions?.['code'];
            errors.inc({
              code: codeLabel(typeof code === 'string' ? code : 'UNKNOWN'),
            });
          }
          const outcome: Outcome =
            sent.length === 0
              ? 'ok'
              : result?.data === null || result?.data === undefined
                ? 'failed'
                : 'error';
          requests.inc({ operation, type, outcome });
          duration.observe(
            { operation, type },
            (performance.now() - started) / 1000,
          );
        },
      };
    },
  };
}
