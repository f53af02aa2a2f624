import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkSubgraphSchema,
  formatSchemaCheckReport,
  publishSupergraph,
  type Approval,
  type CheckUsage,
} from '../../lib/tooling/composition/index.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../lib/tooling/testing/testDatabase.js';
import {
  createUsageStore,
  type UsageStore,
} from '../../lib/records/usage/index.js';
import {
  FIXTURES,
  fixtureGraph,
  replace,
  signatureOf,
  withCandidate,
} from './schemaScenarios.js';
import type { SubgraphSource } from '../../lib/tooling/composition/index.js';

const root = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
);

const SENSOR_DASHBOARD = /* GraphQL */ `
  query SensorDashboard($district: String) {
    trafficSensors(district: $district) {
      id
      name
      averageSpeedKmh
      vehiclesPerHour
    }
  }
`;

describe('schema check', () => {
  let db: TestDatabase;
  let store: UsageStore;
  let usage: CheckUsage;
  let subgraphs: SubgraphSource[];
  let committed: string;

  beforeAll(async () => {
    db = await startTestDatabase('governance');
    store = createUsageStore(db.connection);
    await store.ensureIndexes();
    usage = { known: true, store };
    ({ subgraphs, supergraphSdl: committed } = await fixtureGraph());
    const signature = await signatureOf(
      subgraphs,
      SENSOR_DASHBOARD,
      'SensorDashboard',
    );
    await store.record([
      {
        hash: signature.hash,
        name: signature.name,
        clientName: 'traffic-control-room',
        clientVersion: '4.1.0',
        coordinates: signature.coordinates,
        at: new Date(Date.now() - 2 * 3_600_000),
        count: 42,
      },
    ]);
  });

  afterAll(async () => {
    await db.stop();
  });

  const check = (
    candidate: SubgraphSource[],
    subgraph: string,
    accessApprovals: Approval[] = [],
  ) =>
    checkSubgraphSchema({
      subgraph,
      subgraphs: candidate,
      committedSupergraphSdl: committed,
      usage,
      days: 14,
      accessApprovals,
    });

  it('passes when a nullable field is added', async () => {
    const report = await check(
      withCandidate(
        subgraphs,
        'mobility',
        replace(
          'speedKmh: Float\n',
          'speedKmh: Float\n  occupancyPercent: Float\n',
        ),
      ),
      'mobility',
    );
    expect(report.passed).toBe(true);
    expect(report.changes).toEqual([
      expect.objectContaining({
        type: 'FIELD_ADDED',
        criticality: 'safe',
        path: 'TrafficSensor.occupancyPercent',
      }),
    ]);
  });

  it('fails when a field a recorded operation uses is removed, naming the operation and the client', async () => {
    const report = await check(
      withCandidate(
        subgraphs,
        'mobility',
        replace(
          '  averageSpeedKmh: Float @deprecated(reason: "Use speedKmh.")\n',
          '',
        ),
      ),
      'mobility',
    );
    expect(report.passed).toBe(false);
    const [change] = report.changes;
    expect(change).toMatchObject({
      type: 'FIELD_REMOVED',
      criticality: 'breaking',
      fails: true,
    });
    expect(change?.usage).toEqual([
      expect.objectContaining({
        name: 'SensorDashboard',
        clientName: 'traffic-control-room',
        clientVersion: '4.1.0',
        count: 42,
      }),
    ]);
    const text = formatSchemaCheckReport(report);
    expect(text).toContain('SensorDashboard');
    expect(text).toContain('traffic-control-room 4.1.0');
    expect(text).toContain('FAILED');
  });

  it('passes with a note when an unused field is removed', async () => {
    const report = await check(
      withCandidate(
        subgraphs,
        'mobility',
        replace('  congestionIndex: Float\n', ''),
      ),
      'mobility',
    );
    expect(report.passed).toBe(true);
    expect(report.changes[0]).toMatchObject({
      type: 'FIELD_REMOVED',
      criticality: 'breaking',
      fails: false,
      usage: [],
    });
    expect(report.notes.join('\n')).toMatch(
      /Breaking but unused: .*congestionIndex.* No operation recorded in the last 14 days/,
    );
  });

  it('fails with the composition error when a shared field gets a conflicting type', async () => {
    const report = await check(
      withCandidate(
        subgraphs,
        'engagement',
        replace('name: String! @shareable', 'name: Int! @shareable'),
      ),
      'engagement',
    );
    expect(report.passed).toBe(false);
    expect(report.compositionErrors).toEqual([
      expect.objectContaining({
        code: 'FIELD_TYPE_MISMATCH',
        subgraphs: ['mobility', 'engagement'],
      }),
    ]);
    expect(formatSchemaCheckReport(report)).toContain(
      'Type of field "District.name" is incompatible across subgraphs',
    );
  });

  it('treats breaking changes as failing when usage is unknown', async () => {
    const report = await checkSubgraphSchema({
      subgraph: 'mobility',
      subgraphs: withCandidate(
        subgraphs,
        'mobility',
        replace('  congestionIndex: Float\n', ''),
      ),
      committedSupergraphSdl: committed,
      usage: { known: false, reason: 'no governance database' },
    });
    expect(report.passed).toBe(false);
    expect(report.failures[0]).toMatch(/Usage is unknown/);
  });

  const withoutScope = replace(
    '    @requiresScopes(scopes: [["engagement:personal-data:read"]])\n',
    '',
  );

  it('fails when @requiresScopes is removed from a personal-data field, naming the field', async () => {
    const report = await check(
      withCandidate(subgraphs, 'engagement', withoutScope),
      'engagement',
    );
    expect(report.passed).toBe(false);
    expect(report.accessChanges).toEqual([
      expect.objectContaining({
        coordinate: 'CitizenReport.reporterEmail',
        change: 'rule-removed',
        personalData: true,
        fails: true,
      }),
    ]);
    expect(report.failures.join('\n')).toContain('CitizenReport.reporterEmail');
  });

  it('passes that change once the auditors approved it', async () => {
    const approval: Approval = {
      coordinate: 'CitizenReport.reporterEmail',
      change: 'rule-removed',
      approvedBy: 'Jeanne Martin, DPO',
      approvedAt: '2025-06-02',
      reason: 'test',
    };
    const report = await check(
      withCandidate(subgraphs, 'engagement', withoutScope),
      'engagement',
      [approval],
    );
    expect(report.passed).toBe(true);
    expect(report.accessChanges[0]).toMatchObject({ fails: false, approval });
  });

  it('passes with a note when a scope requirement is added', async () => {
    const report = await check(
      withCandidate(
        subgraphs,
        'engagement',
        replace(
          'status: String!',
          'status: String! @requiresScopes(scopes: [["engagement:staff"]])',
        ),
      ),
      'engagement',
    );
    expect(report.passed).toBe(true);
    expect(report.accessChanges).toEqual([
      expect.objectContaining({
        coordinate: 'CitizenReport.status',
        effect: 'tightening',
        fails: false,
      }),
    ]);
    expect(report.notes.join('\n')).toContain(
      'Access tightened: CitizenReport.status',
    );
  });

  it("flags a new reference into another department's protected type", async () => {
    const addReference = (sdl: string): string =>
      `${replace('  status: String!\n', '  status: String!\n  trafficLight: TrafficLight\n')(sdl)}
type TrafficLight @key(fields: "id", resolvable: false) {
  id: ID!
}
`;
    const report = await check(
      withCandidate(subgraphs, 'engagement', addReference),
      'engagement',
    );
    expect(report.compositionErrors).toEqual([]);
    expect(report.accessChanges).toEqual([
      expect.objectContaining({
        coordinate: 'CitizenReport.trafficLight',
        change: 'new-entity-reference',
        fails: true,
      }),
    ]);
  });

  describe('publish', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'schema-publish-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('refuses a failing change and leaves supergraph.graphql byte-identical', async () => {
      const file = path.join(dir, 'supergraph.graphql');
      await writeFile(file, committed);
      const before = await readFile(file);
      const result = await publishSupergraph(
        {
          subgraph: 'mobility',
          subgraphs: withCandidate(
            subgraphs,
            'mobility',
            replace(
              '  averageSpeedKmh: Float @deprecated(reason: "Use speedKmh.")\n',
              '',
            ),
          ),
          committedSupergraphSdl: committed,
          usage,
        },
        file,
      );
      expect(result).toMatchObject({
        written: false,
        report: { passed: false },
      });
      expect((await readFile(file)).equals(before)).toBe(true);
    });

    it('writes the new supergraph when the check passes', async () => {
      const file = path.join(dir, 'supergraph.graphql');
      await writeFile(file, committed);
      const result = await publishSupergraph(
        {
          subgraph: 'mobility',
          subgraphs: withCandidate(
            subgraphs,
            'mobility',
            replace(
              'speedKmh: Float\n',
              'speedKmh: Float\n  occupancyPercent: Float\n',
            ),
          ),
          committedSupergraphSdl: committed,
          usage,
        },
        file,
      );
      expect(result.written).toBe(true);
      expect(await readFile(file, 'utf8')).toContain('occupancyPercent: Float');
    });
  });

  it('runs as a command: exit 1 and a JSON report naming the operation', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'schema-check-cli-'));
    try {
      const supergraph = path.join(dir, 'supergraph.graphql');
      const candidate = path.join(dir, 'mobility.graphql');
      await writeFile(supergraph, committed);
      const mobility = subgraphs.find((s) => s.name === 'mobility')?.sdl ?? '';
      await writeFile(
        candidate,
        mobility.replace(
          '  averageSpeedKmh: Float @deprecated(reason: "Use speedKmh.")\n',
          '',
        ),
      );
      const run = promisify(execFile);
      const result = await run(
        process.execPath,
        [
          path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
          path.join(root, 'scripts', 'schemaCheck.ts'),
          'mobility',
          '--schema',
          candidate,
          '--config',
          path.join(FIXTURES, 'supergraph.yaml'),
          '--supergraph',
          supergraph,
          '--days',
          '7',
          '--json',
        ],
        {
          env: {
            GOVERNANCE_MONGODB_URI: db.uri,
            DATA_DIR: dir,
            NODE_ENV: 'test',
          },
          cwd: root,
        },
      ).then(
        () => ({ code: 0, stdout: '' }),
        (error: { code: number; stdout: string }) => ({
          code: error.code,
          stdout: error.stdout,
        }),
      );
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout) as {
        passed: boolean;
        days: number;
        changes: { usage: { name: string; clientName: string }[] }[];
      };
      expect(report.passed).toBe(false);
      expect(report.days).toBe(7);
      expect(report.changes[0]?.usage[0]).toMatchObject({
        name: 'SensorDashboard',
        clientName: 'traffic-control-room',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
