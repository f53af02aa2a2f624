import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUDIT_EVENTS_COLLECTION,
  createAuditCheckpointer,
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
  // The gateway's key pair: its checkpoints are signed with the private half.
  const keys = generateKeyPairSync('ed25519');
  let publicKeyFile: string;

  beforeAll(async () => {
    localdb = await startLocalDb({ port: 0 });
    client = await MongoClient.connect(localdb.uri);
    dataDir = await mkdtemp(path.join(tmpdir(), 'audit-verify-'));
    publicKeyFile = path.join(dataDir, 'gateway.public.pem');
    await writeFile(
      publicKeyFile,
      keys.publicKey.export({ type: 'spki', format: 'pem' }),
    );
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
    // gateway-c's head is checkpointed at seq 5, then its tail is cut.
    const trail = createAuditTrail({
      db: client.db('governance'),
      chainId: 'gateway-c',
      logger: createSilentLogger(),
    });
    for (let i = 1; i <= 5; i += 1)
      await trail.record(sampleAuditEvent({ requestId: `c${i}` }));
    await trail.close();
    await createAuditCheckpointer({
      db: client.db('governance'),
      chainId: 'gateway-c',
      signingKey: keys.privateKey,
      logger: createSilentLogger(),
      intervalMs: 0,
    }).stop();
    await client
      .db('governance')
      .collection(AUDIT_EVENTS_COLLECTION)
      .deleteMany({ chainId: 'gateway-c', seq: { $gte: 4 } });
  });

  afterAll(async () => {
    await client?.close();
    await localdb?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('reports intact chains with their heads and exits 0', async () => {
    const run = await auditVerify(
      {
        GOVERNANCE_MONGODB_URI: localdb.uri,
        DATA_DIR: dataDir,
        GATEWAY_TOKEN_PUBLIC_KEY_FILE: publicKeyFile,
      },
      ['--chain', 'gateway-a'],
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/OK +chain gateway-a: 20 events/);
    expect(run.stdout).toMatch(/head: seq 20, hash [0-9a-f]{64}/);
    expect(run.stdout).toContain('All 1 chain(s) verified.');
  });

  it('detects a tail cut after the signed checkpoint, with no anchor given', async () => {
    const run = await auditVerify(
      {
        GOVERNANCE_MONGODB_URI: localdb.uri,
        DATA_DIR: dataDir,
        GATEWAY_TOKEN_PUBLIC_KEY_FILE: publicKeyFile,
      },
      ['--chain', 'gateway-c'],
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/chain gateway-c: breaks at seq 5 \(anchor\)/);
    expect(run.stdout).toContain('signed checkpoint of seq 5');
  });

  it('says when it cannot check the checkpoints (no gateway public key)', async () => {
    const run = await auditVerify(
      {
        GOVERNANCE_MONGODB_URI: localdb.uri,
        DATA_DIR: dataDir,
        GATEWAY_TOKEN_PUBLIC_KEY_FILE: path.join(dataDir, 'absent.pem'),
      },
      ['--chain', 'gateway-a'],
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/signed checkpoints are not checked/);
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
    expect(run.stdout).toContain('gateway-b at seq 13');
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
