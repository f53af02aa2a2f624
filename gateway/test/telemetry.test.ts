/**
 * No data leaves the city's infrastructure: the gateway's anonymous
 * environment report (on by default in @apollo/gateway >= 2.14) and Apollo
 * Server's usage and schema reporting are off whatever the environment says.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import { ApolloGateway } from '@apollo/gateway';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../lib/runtime/config.js';
import { createSilentLogger } from '../../lib/runtime/logger.js';
import { anonymousViewer } from '../../lib/runtime/viewer.js';
import { createGateway } from '../src/server.js';

const require = createRequire(import.meta.url);
// The module @apollo/gateway calls to build its report exporter.
const telemetry =
  require('@apollo/gateway/dist/utilities/opentelemetry.js') as {
    createDataCollectionExporter: () => { shutdown(): Promise<void> };
  };

function build() {
  return createGateway({
    config: loadConfig({ NODE_ENV: 'test' }),
    logger: createSilentLogger(),
    authenticate: async () => anonymousViewer,
    signingKey: generateKeyPairSync('ed25519').privateKey,
    supergraph: {
      hook: async () => ({ supergraphSdl: '' }),
      current: () => '',
      checkNow: async () => false,
    },
    audit: { record: async () => {}, ping: async () => true },
    usage: { record: async () => {} },
  });
}

describe('reports to Apollo', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('are sent by a plain ApolloGateway (the control: this test can fail)', () => {
    vi.stubEnv('APOLLO_TELEMETRY_DISABLED', undefined);
    const spy = vi
      .spyOn(telemetry, 'createDataCollectionExporter')
      .mockReturnValue({ shutdown: async () => {} });
    new ApolloGateway({ supergraphSdl: async () => ({ supergraphSdl: '' }) });
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('are never sent by the city gateway, even when the environment does not disable them', () => {
    vi.stubEnv('APOLLO_TELEMETRY_DISABLED', undefined);
    const spy = vi
      .spyOn(telemetry, 'createDataCollectionExporter')
      .mockReturnValue({ shutdown: async () => {} });
    build();
    expect(spy).not.toHaveBeenCalled();
  });

  it('install Apollo Server usage and schema reporting as disabled plugins', () => {
    const { apollo } = build();
    const plugins = (
      apollo as unknown as { internals: { plugins: Record<string, unknown>[] } }
    ).internals.plugins;
    const disabled = plugins
      .filter((p) => p['__is_disabled_plugin__'] === true)
      .map((p) => p['__internal_plugin_id__']);
    expect(disabled).toEqual(
      expect.arrayContaining(['UsageReporting', 'SchemaReporting']),
    );
  });
});
