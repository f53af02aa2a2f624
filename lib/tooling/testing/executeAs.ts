/**
 * Test support (not for production code): run an operation against a
 * subgraph's Apollo Server as a given viewer, the way the gateway would.
 */
import assert from 'node:assert';
import type { GraphQLFormattedError } from 'graphql';
import { createSilentLogger } from '../../runtime/logger.js';
import type { SubgraphServer } from '../../subgraph-kit/subgraphService.js';
import type { SubgraphContext } from '../../subgraph-kit/subgraphService.js';
import { anonymousViewer, type Viewer } from '../../runtime/viewer.js';

/** The single result of an operation. */
export interface TestResult {
  data: Record<string, unknown> | null | undefined;
  errors: readonly GraphQLFormattedError[] | undefined;
}

/** Executes `query` with `variables` as `viewer` (anonymous by default). */
export async function executeAs<TContext extends SubgraphContext>(
  server: SubgraphServer<TContext>,
  query: string,
  variables: Record<string, unknown> = {},
  viewer: Viewer = anonymousViewer,
): Promise<TestResult> {
  const response = await server.apollo.executeOperation(
    { query, variables },
    {
      contextValue: server.createContext({
        viewer,
        requestId: 'test',
        logger: createSilentLogger(),
        // As if the gateway had recorded the audit event of a write.
        auditEvent: 'test',
      }),
    },
  );
  assert(response.body.kind === 'single');
  return {
    data: response.body.singleResult.data as
      Record<string, unknown> | null | undefined,
    errors: response.body.singleResult.errors,
  };
}
