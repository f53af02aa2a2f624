/**
 * Development keys under `<dataDir>/keys/`, created on first `npm start`:
 * the development identity provider's keypair (mints caller tokens with
 * `npm run token`; the gateway verifies them with `issuer.public.pem`, the
 * default AUTH_PUBLIC_KEY_FILE) and the gateway's keypair (signs gateway
 * tokens; subgraphs verify them). Ed25519 PEM files; private keys mode 0600.
 * Production uses the identity provider's JWKS and keys from a secret store.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
} from 'node:crypto';
import {
  chmod,
  link,
  mkdir,
  readFile,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';

/** The files of one keypair. */
export interface KeyPairFiles {
  /** PKCS#8 PEM, mode 0600. */
  readonly privateKeyFile: string;
  /** SPKI PEM. */
  readonly publicKeyFile: string;
}

/** The development keys. */
export interface DevKeyFiles {
  /** The development identity provider (`issuer.private.pem`, `issuer.public.pem`). */
  readonly issuer: KeyPairFiles;
  /** The gateway (`gateway.private.pem`, `gateway.public.pem`). */
  readonly gateway: KeyPairFiles;
}

/** Where the development keys of `dataDir` live (whether or not they exist yet). */
export function devKeyFiles(dataDir: string): DevKeyFiles {
  const dir = path.join(dataDir, 'keys');
  const pair = (name: string): KeyPairFiles => ({
    privateKeyFile: path.join(dir, `${name}.private.pem`),
    publicKeyFile: path.join(dir, `${name}.public.pem`),
  });
  return { issuer: pair('issuer'), gateway: pair('gateway') };
}

// Creates `file` with `content` unless it exists, atomically: write a
// temporary file, then hard-link it into place (link fails if the target
// exists), so concurrent starters never see a half-written or replaced key.
async function createIfMissing(
  file: string,
  content: string,
  mode: number,
): Promise<void> {
  const temporary = `${file}.${randomUUID()}.tmp`;
  await writeFile(temporary, content, { mode, flag: 'wx' });
  try {
    await link(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temporary);
  }
}

async function ensureKeyPair(files: KeyPairFiles): Promise<void> {
  const { privateKey } = generateKeyPairSync('ed25519');
  await createIfMissing(
    files.privateKeyFile,
    privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    0o600,
  );
  // Whoever won the race, the public key is derived from the private key on
  // disk, so the pair always matches.
  const onDisk = createPrivateKey(await readFile(files.privateKeyFile, 'utf8'));
  const publicPem = createPublicKey(onDisk)
    .export({ type: 'spki', format: 'pem' })
    .toString();
  await createIfMissing(files.publicKeyFile, publicPem, 0o644);
  const existing = await readFile(files.publicKeyFile, 'utf8');
  if (existing !== publicPem) {
    throw new Error(
      `${files.publicKeyFile} does not match ${files.privateKeyFile}; delete both to regenerate the development keys.`,
    );
  }
  // A private key readable by others is tightened rather than trusted.
  if (((await stat(files.privateKeyFile)).mode & 0o077) !== 0) {
    await chmod(files.privateKeyFile, 0o600);
  }
}

/**
 * Creates the development keypairs under `<dataDir>/keys/` if missing
 * (directory mode 0700, private keys 0600). Idempotent and safe to run
 * concurrently from several processes; existing keys are kept.
 * @returns The key files.
 * @throws Error when an existing public key does not match its private key.
 */
export async function ensureDevKeys(dataDir: string): Promise<DevKeyFiles> {
  const files = devKeyFiles(dataDir);
  await mkdir(path.dirname(files.issuer.privateKeyFile), {
    recursive: true,
    mode: 0o700,
  });
  await ensureKeyPair(files.issuer);
  await ensureKeyPair(files.gateway);
  return files;
}
