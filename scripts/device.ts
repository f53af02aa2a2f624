/**
 * Development devices for the MQTT bridge (docs/ingestion.md, "MQTT"):
 *
 *   npm run -s device -- enrol mob-ts-13201-01
 *   npm run -s device -- publish mob-ts-13201-01 reading.json
 *
 * `enrol` makes the device an Ed25519 key pair: the private key in
 * `<DATA_DIR>/keys/devices/<id>.private.pem` (what the device would hold),
 * the public key added to the devices' JWKS (`MQTT_DEVICE_KEYS_FILE`, which
 * the bridge re-reads within seconds). `publish` signs the NGSI-LD entity
 * (or array) of the file as that device and publishes it with QoS 1 on its
 * topic. Refused when NODE_ENV is production: real devices hold their own
 * keys, and the city only registers their public keys.
 */
import {
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { exportJWK, type JSONWebKeySet, type JWK } from 'jose';
import { connectAsync } from 'mqtt';
import { signDeviceMessage } from '../lib/ingest/deviceClaim.js';
import { loadConfig, type Department } from '../lib/runtime/config.js';

/** The department of a device, by the graph id's prefix. */
const PREFIXES: readonly [string, Department][] = [
  ['mob-', 'mobility'],
  ['env-', 'environment'],
  ['eco-', 'economy'],
  ['eng-', 'engagement'],
];

/** The department whose topic a device publishes on, or undefined. */
export function departmentOfDevice(deviceId: string): Department | undefined {
  return PREFIXES.find(([p]) => deviceId.startsWith(p))?.[1];
}

/** The topic a device publishes on. */
export function deviceTopic(
  topicPrefix: string,
  department: Department,
  deviceId: string,
): string {
  return `${topicPrefix}${department}/${deviceId}`;
}

/**
 * Gives a device a new key pair and registers its public key in the JWKS
 * file (replacing an older key of the same device). Returns the private key.
 */
export async function enrolDevice(
  jwksFile: string,
  deviceId: string,
  privateKeyDir?: string,
): Promise<KeyObject> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk: JWK = {
    ...(await exportJWK(publicKey)),
    kid: deviceId,
    alg: 'EdDSA',
    use: 'sig',
  };
  let jwks: JSONWebKeySet = { keys: [] };
  try {
    jwks = JSON.parse(await readFile(jwksFile, 'utf8')) as JSONWebKeySet;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  jwks = { keys: [...jwks.keys.filter((k) => k.kid !== deviceId), jwk] };
  await mkdir(path.dirname(jwksFile), { recursive: true });
  // Written whole then renamed: the bridge never reads half a file.
  const tmp = `${jwksFile}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(jwks, null, 2)}\n`);
  await rename(tmp, jwksFile);
  if (privateKeyDir) {
    await mkdir(privateKeyDir, { recursive: true });
    await writeFile(
      path.join(privateKeyDir, `${deviceId}.private.pem`),
      privateKey.export({ type: 'pkcs8', format: 'pem' }),
      { mode: 0o600 },
    );
  }
  return privateKey;
}

async function main(argv: readonly string[]): Promise<void> {
  const config = loadConfig();
  if (config.env === 'production')
    throw new Error(
      'npm run device is for development: real devices hold their own keys.',
    );
  const [command, deviceId, file] = argv;
  const keyDir = path.join(config.dataDir, 'keys', 'devices');
  const department = deviceId ? departmentOfDevice(deviceId) : undefined;
  if (
    !deviceId ||
    !department ||
    (command !== 'enrol' && command !== 'publish')
  )
    throw new Error(
      'Usage: npm run -s device -- enrol <device id> | publish <device id> <file.json>\n(device ids start with mob-, env-, eco- or eng-)',
    );
  if (command === 'enrol') {
    await enrolDevice(config.mqtt.deviceKeysFile, deviceId, keyDir);
    process.stdout.write(
      `${deviceId} enrolled: private key in ${path.join(keyDir, `${deviceId}.private.pem`)}, public key in ${config.mqtt.deviceKeysFile}\n`,
    );
    return;
  }
  if (!file) throw new Error('publish needs a file of NGSI-LD entities');
  if (!config.mqtt.url) throw new Error('MQTT_URL is not set');
  const privateKey = createPrivateKey(
    await readFile(path.join(keyDir, `${deviceId}.private.pem`), 'utf8'),
  );
  const entities: unknown = JSON.parse(await readFile(file, 'utf8'));
  const message = await signDeviceMessage(privateKey, deviceId, entities);
  const client = await connectAsync(config.mqtt.url);
  const topic = deviceTopic(config.mqtt.topicPrefix, department, deviceId);
  await client.publishAsync(topic, message, { qos: 1 });
  await client.endAsync();
  process.stdout.write(`published on ${topic}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
}
