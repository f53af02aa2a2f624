import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUDIT_EVENTS_COLLECTION,
  createAuditTrail,
} from '../../lib/records/audit/index.js';
import { createSilentLogger } from '../../lib/runtime/logger.js';
import { startLocalDb, type LocalDb } from '../../localdb/src/index.js';
import { sampleAuditEvent } from '../../lib/tooling/testing/sampleAuditEvent.js';

const root = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);
const script = path.join(root, 'scripts', 'auditVerify.ts');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `npm run audit:verify` (the script itself) with `env` on top of a clean environment. */
function auditVerify(
  env: Record<string, string>,
  args: string[] = [],
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', script, ...args],
      {
        cwd: root,
        env: { NODE_ENV: 'test', ...env },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error
          ? typeof error.code === 'number'
            ? error.code
            : 1
          : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('npm run audit:verify', () => {
  let localdb: LocalDb;
  let client: MongoClient;
  let dataDir: string;

  beforeAll(async () => {
    localdb = await startLocalDb({ port: 0 });
    client = await MongoClient.connect(localdb.uri);
    dataDir = await mkdtemp(path.join(tmpdir(), 'audit-verify-'));
    for (const chainId of ['gateway-a', 'gateway-b']) {
      const trail = createAuditTrail({
        db: client.db('governance'),
        chainId,
        logger: createSilentLogger(),
      });
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          trail.record(sampleAuditEvent({ requestId: `r${i}` })),
        ),
      );
      await trail.close();
    }
  });

  afterAll(async () => {
    await client?.close();
    await localdb?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('reports intact chains with their heads and exits 0', async () => {
    const run = await auditVerify({
      GOVERNANCE_MONGODB_URI: localdb.uri,
      DATA_DIR: dataDir,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/OK +chain gateway-a: 20 events/);
    expect(run.stdout).toMatch(/head: seq 20, hash [0-9a-f]{64}/);
    expect(run.stdout).toContain('All 2 chain(s) verified.');
  });

  it('finds the development database through <DATA_DIR>/dev-services.json when the variable is unset', async () => {
    await writeFile(
      path.join(dataDir, 'dev-services.json'),
      JSON.stringify({ governance: localdb.uri }),
    );
    const run = await auditVerify({ DATA_DIR: dataDir });
    expect(run.code).toBe(0);
    await rm(path.join(dataDir, 'dev-services.json'));
  });

  it('fails with a clear message when it cannot find the database', async () => {
    const run = await auditVerify({ DATA_DIR: dataDir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/GOVERNANCE_MONGODB_URI is not set/);
  });

  it('exits 1 naming the chain and the seq where it breaks', async () => {
    await client
      .db('governance')
      .collection(AUDIT_EVENTS_COLLECTION)
      .updateOne(
        { chainId: 'gateway-b', seq: 13 },
        { $set: { subject: 'nobody' } },
      );
    const run = await auditVerify({
      GOVERNANCE_MONGODB_URI: localdb.uri,
      DATA_DIR: dataDir,
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /BROKEN +chain gateway-b: breaks at seq 13 \(edited\)/,
    );
    expect(run.stdout).toContain(
      '1 of 2 chain(s) broken: gateway-b at seq 13.',
    );
  });

  it('checks a head anchored earlier', async () => {
    const head = await client
      .db('governance')
      .collection(AUDIT_EVENTS_COLLECTION)
      .findOne({ chainId: 'gateway-a', seq: 20 });
    await client
      .db('governance')
      .collection(AUDIT_EVENTS_COLLECTION)
      .deleteOne({ chainId: 'gateway-a', seq: 20 });
    const run = await auditVerify(
      { GOVERNANCE_MONGODB_URI: localdb.uri, DATA_DIR: dataDir },
      [
        '--chain',
        'gateway-a',
        '--anchor',
        `gateway-a:20:${String(head?.['hash'])}`,
      ],
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/chain gateway-a: breaks at seq 20 \(anchor\)/);
  });
});
