/**
 * Records operation usage: for every operation the gateway executes, its
 * signature (normalized-document hash and name), the client's name and
 * version, and the schema coordinates it touches, summed per hour in the
 * governance database (see lib/records/usage). No variable value is recorded.
 *
 * Recording is fire-and-forget through an in-memory buffer: it never slows
 * a request down and never fails one; a database problem is logged.
 */
import type {
  ApolloServerPlugin,
  GraphQLRequestContextExecutionDidStart,
} from '@apollo/server';
import { describeError } from '../../../lib/runtime/errors.js';
import type { Logger } from '../../../lib/runtime/logger.js';
import { createUsageBuffer } from '../../../lib/records/usage/usageBuffer.js';
import type { UsageStore } from '../../../lib/records/usage/usageStore.js';
import type { GatewayContext } from '../context.js';
import { cachedOperationSignature } from '../operationSignature.js';

/** Options of {@link usagePlugin}. */
export interface UsagePluginOptions {
  /** Where usage goes: `createUsageStore(governanceConnection)`. */
  store: Pick<UsageStore, 'record'>;
  logger: Logger;
  /** @default 1000 */
  flushIntervalMs?: number;
  /** Flush once this many distinct {hour, operation, client} entries wait. @default 200 */
  maxBufferedEntries?: number;
  /** Clock, for tests. @default () => new Date() */
  now?: () => Date;
}

/** The usage-recording plugin of the gateway. */
export function usagePlugin(
  options: UsagePluginOptions,
): ApolloServerPlugin<GatewayContext> {
  const now = options.now ?? (() => new Date());
  const buffer = createUsageBuffer({
    store: options.store,
    logger: options.logger,
    ...(options.flushIntervalMs === undefined
      ? {}
      : { flushIntervalMs: options.flushIntervalMs }),
    ...(options.maxBufferedEntries === undefined
      ? {}
      : { maxEntries: options.maxBufferedEntries }),
  });

  return {
    async serverWillStart() {
      return {
        async serverWillStop() {
          await buffer.close();
        },
      };
    },
    async requestDidStart() {
      const record = (
        requestContext: Pick<
          GraphQLRequestContextExecutionDidStart<GatewayContext>,
          'schema' | 'document' | 'operationName' | 'queryHash' | 'contextValue'
        >,
      ) => {
        try {
          const { schema, document, operationName, queryHash, contextValue } =
            requestContext;
          const signature = cachedOperationSignature(
            schema,
            document,
            operationName,
            queryHash,
          );
          buffer.add({
            hash: signature.hash,
            name: signature.name,
            clientName: contextValue.clientName,
            clientVersion: contextValue.clientVersion,
            coordinates: signature.coordinates,
            at: now(),
          });
        } catch (error) {
          options.logger.warn(
            { err: describeError(error) },
            'operation usage not recorded',
          );
        }
      };
      return {
        async executionDidStart(requestContext) {
          record(requestContext);
        },
        async willSendResponse(requestContext) {
          // Answered from the response cache: nothing executed, the
          // operation was still used.
          const { document, operationName, queryHash } = requestContext;
          if (
            requestContext.contextValue.responseCache?.hit &&
            document &&
            queryHash
          )
            record({
              schema: requestContext.schema,
              document,
              operationName: operationName ?? null,
              queryHash,
              contextValue: requestContext.contextValue,
            });
        },
      };
    },
  };
}
