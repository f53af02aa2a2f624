import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApolloServer } from '@apollo/server';
import type { GatewayContext } from '../src/context.js';
import {
  createAuditTrail,
  verifyAuditChain,
  type AuditTrail,
} from '../../lib/records/audit/index.js';
import { createSilentLogger } from '../../lib/runtime/logger.js';
import { startLocalDb, type LocalDb } from '../../localdb/src/index.js';
import {
  createAuditedServer,
  fixtureSupergraphSdl,
  gatewayContext,
  piiViewer,
} from './auditFixture.js';

const logger = createSilentLogger();
let localdb: LocalDb;
let client: MongoClient;
let trail: AuditTrail;
let server: ApolloServer<GatewayContext>;

beforeAll(async () => {
  localdb = await startLocalDb({ port: 0 });
  client = await MongoClient.connect(localdb.uri, {
    serverSelectionTimeoutMS: 500,
  });
  trail = createAuditTrail({
    db: client.db('governance'),
    chainId: 'gateway-test',
    logger,
    writeTimeoutMs: 1000,
  });
  const supergraph = fixtureSupergraphSdl();
  server = createAuditedServer({
    trail,
    getSupergraphSdl: () => supergraph,
    logger,
  });
});

afterAll(async () => {
  await client?.close();
  await localdb?.stop();
});

async function run(query: string) {
  const response = await server.executeOperation(
    { query },
    { contextValue: gatewayContext(piiViewer) },
  );
  if (response.body.kind !== 'single')
    throw new Error('expected a single result');
  return response.body.singleResult;
}

describe('auditPlugin with a real audit store', () => {
  it('serves protected fields and keeps a valid chain while the store is up', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, () => run('{ reports { reporterEmail } }')),
    );
    expect(results.every((result) => result.errors === undefined)).toBe(true);
    const [report] = await verifyAuditChain(client.db('governance'));
    expect(report).toMatchObject({
      chainId: 'gateway-test',
      ok: true,
      events: 50,
    });
  });

  describe('when the audit store is down', () => {
    beforeAll(async () => {
      await localdb.stop();
    });

    it('refuses protected fields with AUDIT_UNAVAILABLE', async () => {
      const result = await run('{ reports { id reporterEmail } }');
      expect(result.data).toBeNull();
      expect(result.errors).toHaveLength(1);
      expect(result.errors?.[0]?.extensions?.['code']).toBe(
        'AUDIT_UNAVAILABLE',
      );
      expect(result.errors?.[0]?.message).toMatch(/audit store is unreachable/);
    });

    it('still serves public-only operations', async () => {
      const result = await run('{ districts reports { id title } }');
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({
        districts: ['13201', '13202'],
        reports: [
          { id: 'r1', title: 'Broken light' },
          { id: 'r2', title: 'Leak' },
          { id: 'r3', title: 'Pothole' },
        ],
      });
    });
  });
});
