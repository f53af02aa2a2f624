/**
 * A document that parses and validates but names no operation to run (an
 * `operationName` it does not define, or several operations and no name)
 * is the client's mistake: refused with HTTP 400 and
 * OPERATION_RESOLUTION_FAILURE before execution. Without this, the
 * gateway's executor throws a code-less error that Apollo Server answers
 * with HTTP 500 (issue 9, finding 7).
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError } from 'graphql';

/** See the module comment. */
export function operationResolutionPlugin<
  TContext extends BaseContext,
>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request }) {
          if (operation) return;
          throw new GraphQLError(
            request.operationName
              ? `Unknown operation named "${request.operationName}".`
              : 'Must provide operation name if query contains multiple operations.',
            {
              extensions: {
                code: 'OPERATION_RESOLUTION_FAILURE',
                http: { status: 400 },
              },
            },
          );
        },
      };
    },
  };
}
