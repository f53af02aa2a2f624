/**
 * The contract every subgraph passes ([AS] defineIntegrationTestSuite):
 * Federation's `_service` SDL, the shared `District` entity through
 * `_entities`, and error hygiene. Each subgraph's test calls it once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../runtime/logger.js';
import type { SubgraphContext } from '../../subgraph-kit/subgraphService.js';
import type {
  SubgraphDeps,
  SubgraphServer,
} from '../../subgraph-kit/subgraphService.js';
import { executeAs } from './executeAs.js';
import { startTestDatabase, type TestDatabase } from './testDatabase.js';
import { createRecordingEventPublisher } from './recordingEventPublisher.js';

/** Options of {@link defineSubgraphContractSuite}. */
export interface SubgraphContractOptions<TContext extends SubgraphContext> {
  name: string;
  createServer: (deps: SubgraphDeps) => SubgraphServer<TContext>;
}

/** Registers the shared contract tests for one subgraph. */
export function defineSubgraphContractSuite<TContext extends SubgraphContext>(
  options: SubgraphContractOptions<TContext>,
): void {
  describe(`${options.name} subgraph contract`, () => {
    let db: TestDatabase;
    let server: SubgraphServer<TContext>;

    beforeAll(async () => {
      db = await startTestDatabase(`${options.name}-contract`);
      server = options.createServer({
        connection: db.connection,
        logger: createSilentLogger(),
        events: createRecordingEventPublisher(),
      });
      await server.apollo.start();
    });
    afterAll(async () => {
      await server.apollo.stop();
      await db.stop();
    });

    it('publishes its SDL with the Federation 2 link through _service', async () => {
      const result = await executeAs(server, '{ _service { sdl } }');
      const sdl = (result.data?.['_service'] as { sdl: string }).sdl;
      expect(sdl).toContain(
        '@link(url: "https://specs.apollo.dev/federation/v2.9"',
      );
      expect(sdl).toMatch(/type District\s+@key\(fields: "code"\)/);
    });

    it('resolves District references by INSEE code and the shared fields', async () => {
      const result = await executeAs(
        server,
        'query($r: [_Any!]!) { _entities(representations: $r) { ... on District { id code name postalCode sector population } } }',
        {
          r: [
            { __typename: 'District', code: '13201' },
            { __typename: 'District', code: '99999' },
          ],
        },
      );
      expect(result.errors).toBeUndefined();
      expect(result.data?.['_entities']).toEqual([
        {
          id: '13201',
          code: '13201',
          name: 'Marseille 1er Arrondissement',
          postalCode: '13001',
          sector: 'I',
          population: 37599,
        },
        null,
      ]);
    });

    it('leaves the root district queries to the governance subgraph, so they never fail with this department (ADR 0007)', async () => {
      const result = await executeAs(server, '{ districts { code } }');
      expect(result.errors?.[0]?.extensions?.['code']).toBe(
        'GRAPHQL_VALIDATION_FAILED',
      );
    });

    it('answers a query for an unknown field with a validation error and no stack trace', async () => {
      const result = await executeAs(server, '{ noSuchField }');
      expect(result.errors?.[0]?.extensions?.['code']).toBe(
        'GRAPHQL_VALIDATION_FAILED',
      );
      expect(result.errors?.[0]?.extensions?.['stacktrace']).toBeUndefined();
    });
  });
}
