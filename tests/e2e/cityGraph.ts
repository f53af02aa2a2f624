/**
 * Test support (not for production code): the whole city graph as separate
 * processes on free ports — one localdb per subgraph (in this process), the
 * five subgraphs and the gateway as child processes started exactly as
 * `npm start` starts them — and a client that talks to the gateway.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  DEPARTMENTS,
  SUBGRAPH_NAMES,
  type SubgraphName,
} from '../../lib/runtime/config.js';
import { createSilentLogger } from '../../lib/runtime/logger.js';
import { startLocalDb, type LocalDb } from '../../localdb/src/index.js';
import { ensureDevKeys } from '../../scripts/devKeys.js';
import { seedDepartment } from '../../scripts/seed.js';
import { mintDevToken } from '../../scripts/token.js';
import {
  startCommandCountingProxy,
  type CommandCountingProxy,
} from './commandCountingProxy.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ISSUER = 'urn:marseille:e2e-issuer';
const AUDIENCE = 'urn:marseille:city-graph';

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** A GraphQL response as the gateway sends it. */
export interface GraphQLResponse {
  status: number;
  /** The response headers (x-request-id, retry-after, ...). */
  headers: Headers;
  data?: Record<string, unknown> | null;
  errors?: {
    message: string;
    path?: (string | number)[];
    extensions?: Record<string, unknown>;
  }[];
}

/** A running city graph. */
export interface CityGraph {
  gatewayUrl: string;
  ports: Record<SubgraphName | 'gateway', number>;
  databases: Record<SubgraphName, LocalDb>;
  /** Commands each subgraph process sends to its database (through a counting proxy). */
  proxies: Record<SubgraphName, CommandCountingProxy>;
  /** The supergraph file the gateway serves (a temp copy; tests may rewrite it). */
  supergraphPath: string;
  dataDir: string;
  issuerKey: KeyObject;
  /** Sends an operation to the gateway. */
  query(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string; headers?: Record<string, string> },
  ): Promise<GraphQLResponse>;
  /** Mints a caller token signed by the test issuer. */
  token(
    subject: string,
    scopes: string[],
    ttlSeconds?: number,
  ): Promise<string>;
  /** Kills one service's process (SIGKILL), as a crash would. */
  kill(name: SubgraphName | 'gateway'): Promise<void>;
  /** Starts a killed service again, as `npm start` would, on the same port; resolves once it is healthy. */
  restart(name: SubgraphName | 'gateway'): Promise<void>;
  /** Freezes one service's process (SIGSTOP): it accepts connections and never answers. */
  pause(name: SubgraphName | 'gateway'): void;
  /** Thaws a frozen service (SIGCONT). */
  resume(name: SubgraphName | 'gateway'): void;
  /** Lines the services wrote to stdout (JSON logs). */
  logs(name: SubgraphName | 'gateway'): string[];
  stop(): Promise<void>;
}

/** Options of {@link startCityGraph}. */
export interface StartCityGraphOptions {
  /** @default true */
  seed?: boolean;
  /** Extra environment for the gateway. */
  gatewayEnv?: Record<string, string>;
  /** Extra environment for every service (gateway and subgraphs). */
  env?: Record<string, string>;
}

async function waitFor(
  url: string,
  child: ChildProcess,
  name: string,
  // Generous: on a loaded 2-core machine five tsx processes compile at once.
  timeoutMs = 300_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${name} exited with code ${child.exitCode}`);
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${name} not healthy after ${timeoutMs} ms`);
}

/** Starts localdb, the five subgraphs and the gateway on free ports. */
export async function startCityGraph(
  options: StartCityGraphOptions = {},
): Promise<CityGraph> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'city-graph-e2e-'));
  const keys = await ensureDevKeys(dataDir);
  const supergraphPath = path.join(dataDir, 'supergraph.graphql');
  await copyFile(path.join(ROOT, 'supergraph.graphql'), supergraphPath);

  const databases = {} as Record<SubgraphName, LocalDb>;
  for (const name of SUBGRAPH_NAMES)
    databases[name] = await startLocalDb({ port: 0, fsync: false });
  if (options.seed ?? true) {
    const logger = createSilentLogger();
    await Promise.all(
      DEPARTMENTS.map((d) => seedDepartment(d, databases[d].uri, logger)),
    );
  }

  const proxies = {} as Record<SubgraphName, CommandCountingProxy>;
  for (const name of SUBGRAPH_NAMES)
    proxies[name] = await startCommandCountingProxy(databases[name].uri);

  const ports = { gateway: await freePort() } as Record<
    SubgraphName | 'gateway',
    number
  >;
  for (const name of SUBGRAPH_NAMES) ports[name] = await freePort();

  const env: NodeJS.ProcessEnv = {
    // The children's environment, built here on purpose: only PATH is
    // inherited so that nothing from the developer's shell leaks into them.
    // eslint-disable-next-line n/no-process-env -- a child-process environment, not configuration
    PATH: process.env['PATH'],
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    DATA_DIR: dataDir,
    BIND_HOST: '127.0.0.1',
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
    AUTH_PUBLIC_KEY_FILE: keys.issuer.publicKeyFile,
    GATEWAY_TOKEN_PRIVATE_KEY_FILE: keys.gateway.privateKeyFile,
    GATEWAY_TOKEN_PUBLIC_KEY_FILE: keys.gateway.publicKeyFile,
    SUPERGRAPH_PATH: supergraphPath,
    SUPERGRAPH_POLL_INTERVAL_MS: '200',
    GATEWAY_PORT: String(ports.gateway),
    AUDIT_CHAIN_ID: 'e2e',
    ...options.env,
  };
  for (const name of SUBGRAPH_NAMES) {
    const prefix = name.toUpperCase();
    env[`${prefix}_PORT`] = String(ports[name]);
    env[`${prefix}_MONGODB_URI`] = proxies[name].uri;
    env[`${prefix}_URL`] = `http://127.0.0.1:${ports[name]}/graphql`;
  }

  const children = new Map<string, ChildProcess>();
  const output = new Map<string, string[]>();
  const launched = new Map<
    string,
    { entry: string; extraEnv: Record<string, string> }
  >();
  const launch = (
    name: string,
    entry: string,
    extraEnv: Record<string, string> = {},
  ) => {
    launched.set(name, { entry, extraEnv });
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, entry)],
      {
        env: { ...env, ...extraEnv },
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const lines = output.get(name) ?? [];
    output.set(name, lines);
    const collect = (chunk: Buffer) =>
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    children.set(name, child);
    return child;
  };

  const stop = async () => {
    await Promise.all(
      [...children.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null)
              return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 5000).unref();
          }),
      ),
    );
    await Promise.all(Object.values(proxies).map((proxy) => proxy.stop()));
    await Promise.all(Object.values(databases).map((db) => db.stop()));
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    await Promise.all(
      SUBGRAPH_NAMES.map((name) => {
        const child = launch(name, `subgraphs/${name}/src/index.ts`);
        return waitFor(`http://127.0.0.1:${ports[name]}/health`, child, name);
      }),
    );
    const gateway = launch(
      'gateway',
      'gateway/src/index.ts',
      options.gatewayEnv ?? {},
    );
    await waitFor(
      `http://127.0.0.1:${ports.gateway}/ready`,
      gateway,
      'gateway',
    );
  } catch (error) {
    const logs = [...output]
      .map(([name, lines]) => `--- ${name}\n${lines.slice(-20).join('\n')}`)
      .join('\n');
    await stop();
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\n${logs}`,
      { cause: error },
    );
  }

  const issuerKey = createPrivateKey(
    await readFile(keys.issuer.privateKeyFile, 'utf8'),
  );
  const gatewayUrl = `http://127.0.0.1:${ports.gateway}/graphql`;
  return {
    gatewayUrl,
    ports,
    databases,
    proxies,
    supergraphPath,
    dataDir,
    issuerKey,
    async query(query, variables = {}, opts = {}) {
      const response = await fetch(gatewayUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...opts.headers,
        },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as Omit<
        GraphQLResponse,
        'status' | 'headers'
      >;
      return { status: response.status, headers: response.headers, ...body };
    },
    token: (subject, scopes, ttlSeconds = 300) =>
      mintDevToken({
        subject,
        scopes,
        ttlSeconds,
        privateKey: issuerKey,
        issuer: ISSUER,
        audience: AUDIENCE,
      }),
    async kill(name) {
      const child = children.get(name);
      if (!child || child.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    },
    async restart(name) {
      const how = launched.get(name);
      const running = children.get(name);
      if (
        !how ||
        (running && running.exitCode === null && running.signalCode === null)
      )
        throw new Error(`${name} is running: kill it first`);
      const child = launch(name, how.entry, how.extraEnv);
      await waitFor(
        `http://127.0.0.1:${ports[name]}/${name === 'gateway' ? 'ready' : 'health'}`,
        child,
        name,
      );
    },
    pause(name) {
      children.get(name)?.kill('SIGSTOP');
    },
    resume(name) {
      children.get(name)?.kill('SIGCONT');
    },
    logs: (name) => output.get(name) ?? [],
    stop,
  };
}
