import { ApolloServer } from '@apollo/server';
import { describe, expect, it } from 'vitest';
import { usagePlugin } from '../src/plugins/usagePlugin.js';
import type { GatewayContext } from '../src/context.js';
import { createSilentLogger } from '../../lib/runtime/logger.js';
import type { UsageRecord } from '../../lib/records/usage/index.js';
import { anonymousViewer } from '../../lib/runtime/viewer.js';

const typeDefs = /* GraphQL */ `
  type Query {
    district(code: String!): District
  }
  type District {
    code: String!
    name: String!
  }
`;

function context(clientName: string | null): GatewayContext {
  const logger = createSilentLogger();
  return {
    viewer: anonymousViewer,
    requestId: 'r1',
    logger,
    clientName,
    clientVersion: clientName ? '1.2.3' : null,
    subgraphsCalled: new Set(),
    clientRequestId: null,
    auditedWrite: false,
    audit: { recorded: false },
    enforcement: [],
  };
}

describe('usagePlugin', () => {
  it('records hash, name, client and coordinates, summed, without variable values', async () => {
    const batches: UsageRecord[][] = [];
    const plugin = usagePlugin({
      store: { record: async (records) => void batches.push([...records]) },
      logger: createSilentLogger(),
      flushIntervalMs: 60_000,
    });
    const server = new ApolloServer<GatewayContext>({
      typeDefs,
      resolvers: {
        Query: {
          district: (_: unknown, { code }: { code: string }) => ({
            code,
            name: 'x',
          }),
        },
      },
      plugins: [plugin],
      logger: createSilentLogger(),
    });
    await server.start();
    const query =
      'query DistrictName($code: String!) { district(code: $code) { name } }';
    for (const code of ['13201', '13202', '13203']) {
      await server.executeOperation(
        { query, variables: { code } },
        { contextValue: context('citizen-portal') },
      );
    }
    await server.executeOperation(
      { query, variables: { code: '13204' } },
      { contextValue: context(null) },
    );
    await server.stop(); // flushes
    const records = batches.flat();
    expect(records).toHaveLength(2);
    expect(records).toContainEqual(
      expect.objectContaining({
        name: 'DistrictName',
        clientName: 'citizen-portal',
        clientVersion: '1.2.3',
        count: 3,
        coordinates: ['District.name', 'Query.district'],
      }),
    );
    expect(records).toContainEqual(
      expect.objectContaining({ clientName: null, count: 1 }),
    );
    expect(JSON.stringify(records)).not.toContain('13201');
  });

  it('never fails a request when the store fails', async () => {
    const plugin = usagePlugin({
      store: { record: async () => Promise.reject(new Error('database down')) },
      logger: createSilentLogger(),
      maxBufferedEntries: 1,
    });
    const server = new ApolloServer<GatewayContext>({
      typeDefs,
      resolvers: { Query: { district: () => ({ code: '13201', name: 'x' }) } },
      plugins: [plugin],
      logger: createSilentLogger(),
    });
    await server.start();
    const response = await server.executeOperation(
      { query: '{ district(code: "13201") { code } }' },
      { contextValue: context('app') },
    );
    expect(
      response.body.kind === 'single' && response.body.singleResult.errors,
    ).toBeUndefined();
    await server.stop();
  });
});
