/**
 * Mints a development caller token with the development issuer key:
 *
 *   npm run -s token -- --role auditor --sub auditor-01
 *   npm run -s token -- --scopes "mobility:staff engagement:pii" --sub alice --ttl 600
 *   TOKEN=$(npm run -s token -- --role engagement-staff --sub bob)
 *   curl -H "Authorization: Bearer $TOKEN" ...
 *
 * Prints only the token on stdout; warnings go to stderr. Scopes are the
 * union of `--role`'s scopes (lib/runtime/roles.ts) and `--scopes`. Refused when
 * NODE_ENV is production: real tokens come from the identity provider.
 */
import { createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { loadConfig } from '../lib/runtime/config.js';
import {
  isKnownScope,
  ROLE_NAMES,
  scopesForRole,
} from '../lib/runtime/roles.js';
import { ensureDevKeys } from './devKeys.js';

/** What `npm run token` was asked for. */
export interface TokenRequest {
  /** The `sub` claim. @default 'dev-user' */
  readonly subject: string;
  /** Scopes of the token: the role's, then `--scopes`, deduplicated. */
  readonly scopes: readonly string[];
  /** Lifetime in seconds. @default 3600 */
  readonly ttlSeconds: number;
}

const USAGE = `Usage: npm run -s token -- [--role <role>] [--scopes "<scope> <scope>"] [--sub <subject>] [--ttl <seconds>]
Roles: ${ROLE_NAMES.join(', ')}`;

/**
 * Parses the command line of `npm run token`.
 * @throws Error with usage text for unknown options, an unknown role (listing
 *   the roles), or a bad `--ttl`.
 */
export function parseTokenArgs(argv: readonly string[]): TokenRequest {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        scopes: { type: 'string' },
        scope: { type: 'string' },
        sub: { type: 'string' },
        role: { type: 'string' },
        ttl: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${USAGE}`, {
      cause: error,
    });
  }
  const roleScopes =
    values.role === undefined ? [] : scopesForRole(values.role);
  const extra = `${values.scopes ?? ''} ${values.scope ?? ''}`
    .split(/\s+/)
    .filter(Boolean);
  const ttlSeconds = values.ttl === undefined ? 3600 : Number(values.ttl);
  if (
    !Number.isInteger(ttlSeconds) ||
    ttlSeconds < 1 ||
    ttlSeconds > 7 * 24 * 3600
  ) {
    throw new Error(
      `--ttl must be a whole number of seconds from 1 to 604800, got "${values.ttl}"\n${USAGE}`,
    );
  }
  const subject = values.sub?.trim() || 'dev-user';
  return {
    subject,
    scopes: [...new Set([...roleScopes, ...extra])],
    ttlSeconds,
  };
}

/** Options of {@link mintDevToken}. */
export interface MintDevTokenOptions extends TokenRequest {
  /** The development issuer's private key. */
  readonly privateKey: KeyObject;
  /** `iss`: `config.auth.issuer`. */
  readonly issuer: string;
  /** `aud`: `config.auth.audience`. */
  readonly audience: string;
}

/** Signs a caller token (EdDSA) the gateway accepts with the development issuer key. */
export async function mintDevToken(
  options: MintDevTokenOptions,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: options.scopes.join(' ') })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setSubject(options.subject)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + options.ttlSeconds)
    .setJti(randomUUID())
    .sign(options.privateKey);
}

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.env === 'production') {
    throw new Error(
      'npm run token mints development tokens only; it is disabled when NODE_ENV=production.',
    );
  }
  const request = parseTokenArgs(process.argv.slice(2));
  const unknown = request.scopes.filter((scope) => !isKnownScope(scope));
  if (unknown.length > 0) {
    process.stderr.write(
      `warning: ${unknown.join(', ')} not in the scope vocabulary of lib/runtime/roles.ts; no rule will grant access for them.\n`,
    );
  }
  const keys = await ensureDevKeys(config.dataDir);
  const privateKey = createPrivateKey(
    await readFile(keys.issuer.privateKeyFile, 'utf8'),
  );
  const token = await mintDevToken({
    ...request,
    privateKey,
    issuer: config.auth.issuer,
    audience: config.auth.audience,
  });
  process.stdout.write(`${token}\n`);
}

if (
  process.argv[1] &&
  import.meta.url === pathToFileURL(process.argv[1]).href
) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  });
}
