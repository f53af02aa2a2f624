import { mkdtemp, readFile, rm, stat, chmod } from 'node:fs/promises';
import { createPrivateKey } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCallerAuthenticator } from '../../lib/gateway/createCallerAuthenticator.js';
import { createMemoryReplayStore } from '../../lib/runtime/replayStore.js';
import {
  loadGatewaySigningKey,
  loadGatewayVerifyKey,
  signGatewayToken,
  verifyGatewayToken,
} from '../../lib/runtime/gatewayToken.js';
import { createViewer } from '../../lib/runtime/viewer.js';
import { ensureDevKeys } from '../devKeys.js';
import { mintDevToken } from '../token.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'devkeys-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('ensureDevKeys', () => {
  it('creates both keypairs with private keys readable by the owner only', async () => {
    const files = await ensureDevKeys(dataDir);
    for (const pair of [files.issuer, files.gateway]) {
      expect((await stat(pair.privateKeyFile)).mode & 0o777).toBe(0o600);
      expect(await readFile(pair.publicKeyFile, 'utf8')).toMatch(
        /^-----BEGIN PUBLIC KEY-----/,
      );
    }
    expect((await stat(path.join(dataDir, 'keys'))).mode & 0o777).toBe(0o700);
    expect(path.basename(files.issuer.privateKeyFile)).toBe(
      'issuer.private.pem',
    );
    expect(path.basename(files.gateway.publicKeyFile)).toBe(
      'gateway.public.pem',
    );
  });

  it('is idempotent, also when run concurrently', async () => {
    const [first] = await Promise.all([
      ensureDevKeys(dataDir),
      ensureDevKeys(dataDir),
      ensureDevKeys(dataDir),
    ]);
    const before = await readFile(first.issuer.privateKeyFile, 'utf8');
    await ensureDevKeys(dataDir);
    expect(await readFile(first.issuer.privateKeyFile, 'utf8')).toBe(before);
    // The public key on disk matches the private key on disk.
    const gateway = await loadGatewaySigningKey(first.gateway.privateKeyFile);
    const token = await signGatewayToken(gateway, {
      viewer: createViewer('u', 'citizen'),
      requestId: 'r',
      ttlSeconds: 60,
      subgraph: 'mobility',
      body: '{}',
    });
    const verifyKey = await loadGatewayVerifyKey(first.gateway.publicKeyFile);
    expect(
      (
        await verifyGatewayToken(verifyKey, token, {
          subgraph: 'mobility',
          body: '{}',
          replay: createMemoryReplayStore(),
        })
      ).viewer.subject,
    ).toBe('u');
  });

  it('tightens a private key left readable by others', async () => {
    const files = await ensureDevKeys(dataDir);
    await chmod(files.issuer.privateKeyFile, 0o644);
    await ensureDevKeys(dataDir);
    expect((await stat(files.issuer.privateKeyFile)).mode & 0o777).toBe(0o600);
  });

  it('gives an issuer key whose tokens the gateway accepts from AUTH_PUBLIC_KEY_FILE', async () => {
    const files = await ensureDevKeys(dataDir);
    const auth = {
      jwksUrl: undefined,
      publicKeyFile: files.issuer.publicKeyFile,
      issuer: 'urn:marseille:dev-issuer',
      audience: 'urn:marseille:city-graph',
      clockToleranceSeconds: 5,
    };
    const token = await mintDevToken({
      privateKey: createPrivateKey(
        await readFile(files.issuer.privateKeyFile, 'utf8'),
      ),
      issuer: auth.issuer,
      audience: auth.audience,
      subject: 'auditor-01',
      scopes: ['audit:read'],
      ttlSeconds: 60,
    });
    const viewer = await createCallerAuthenticator(auth)(`Bearer ${token}`);
    expect(viewer.subject).toBe('auditor-01');
  });

  it('refuses to load a key of the wrong kind for the gateway', async () => {
    const files = await ensureDevKeys(dataDir);
    await expect(
      loadGatewayVerifyKey(files.gateway.privateKeyFile),
    ).resolves.toBeDefined();
    await expect(
      loadGatewaySigningKey(path.join(dataDir, 'missing.pem')),
    ).rejects.toThrow(/Cannot read/);
  });
});
