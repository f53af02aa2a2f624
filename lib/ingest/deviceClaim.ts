/**
 * How a device proves that a message is its own: the MQTT payload is a JWS
 * (RFC 7515, compact serialization) signed with the device's private key,
 * whose protected header names the device in `kid` (its graph id, e.g.
 * `mob-ts-13201-01`) and whose payload is the NGSI-LD entity, or an array of
 * them, the device reports. The city keeps only the devices' public keys, as
 * a JWKS (docs/ingestion.md, "MQTT";
 * docs/decisions/0011-mqtt-bridge-beside-the-gateway.md).
 *
 * A message is the device's when the signature verifies with the key of that
 * `kid`, the topic names the same device, and every entity in it speaks for
 * that device (its `refDevice`, or for a status report its own id): a device
 * cannot sign for another one.
 */
import { readFile } from 'node:fs/promises';
import {
  CompactSign,
  compactVerify,
  createLocalJWKSet,
  decodeProtectedHeader,
  errors,
  type CryptoKey,
  type JSONWebKeySet,
  type KeyObject,
} from 'jose';
import { graphIdOf, parseNgsiLdEntity } from './ngsiEntity.js';

/** The signature algorithms the city accepts from devices. */
export const DEVICE_ALGORITHMS = ['EdDSA', 'ES256'] as const;

/** A verified message: the device and what it reported. */
export interface DeviceMessage {
  readonly deviceId: string;
  readonly entities: readonly unknown[];
}

/** Why a message is not its device's (refused, never handed to a department). */
export class DeviceClaimError extends Error {
  constructor(
    message: string,
    /** The device the message claims to come from, when it could be read. */
    readonly claimedDevice: string | null,
  ) {
    super(message);
    this.name = 'DeviceClaimError';
  }
}

/** The devices' public keys. */
export interface DeviceKeys {
  /** Verifies a compact JWS against the key of its `kid`. */
  verify(jws: string): Promise<{ kid: string; payload: Uint8Array }>;
  /** How many device keys are known. */
  readonly size: number;
}

/** The device keys of a JWKS document (`kid` = the device's graph id). */
export function deviceKeysFrom(jwks: JSONWebKeySet): DeviceKeys {
  const keySet = createLocalJWKSet(jwks);
  return {
    size: jwks.keys.length,
    async verify(jws) {
      const { payload, protectedHeader } = await compactVerify(jws, keySet, {
        algorithms: [...DEVICE_ALGORITHMS],
      });
      return { kid: protectedHeader.kid ?? '', payload };
    },
  };
}

/** Reads a JWKS file; a missing file is an empty key set (every message refused). */
export async function loadDeviceKeys(file: string): Promise<DeviceKeys> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return deviceKeysFrom({ keys: [] });
    throw error;
  }
  const jwks = JSON.parse(text) as JSONWebKeySet;
  if (!Array.isArray(jwks.keys))
    throw new Error(`${file} is not a JWKS: it has no "keys" array`);
  return deviceKeysFrom(jwks);
}

/**
 * The device an entity speaks for: the device its `refDevice` names (or its
 * `refPointOfInterest`), else the entity itself (a device's or a docking
 * station's status report names it in its own id). Null when unreadable
 * (the department then rejects the entity as malformed).
 */
export function deviceOfEntity(entity: unknown): string | null {
  let parsed;
  try {
    parsed = parseNgsiLdEntity(entity);
  } catch {
    return null;
  }
  for (const name of ['refDevice', 'refPointOfInterest']) {
    const value = parsed.attributes.get(name)?.value;
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') return graphIdOf(first);
  }
  return graphIdOf(parsed.id);
}

/**
 * Verifies a message received on `topicDevice`'s topic: the device that
 * signed it and the entities it carries.
 * @throws DeviceClaimError when it is not that device's (forged, unknown key,
 *   another device's topic or readings, not a JWS, not JSON).
 */
export async function verifyDeviceMessage(
  keys: DeviceKeys,
  topicDevice: string,
  message: string,
): Promise<DeviceMessage> {
  let claimed: string | null;
  try {
    const header = decodeProtectedHeader(message);
    claimed = typeof header.kid === 'string' ? header.kid : null;
  } catch {
    throw new DeviceClaimError(
      'The message is not a JWS (compact serialization) signed by its device.',
      null,
    );
  }
  if (claimed === null)
    throw new DeviceClaimError(
      'The JWS header names no device (kid).',
      claimed,
    );
  if (claimed !== topicDevice)
    throw new DeviceClaimError(
      `The message is signed as ${claimed} but published on the topic of ${topicDevice}.`,
      claimed,
    );
  let payload: Uint8Array;
  try {
    ({ payload } = await keys.verify(message));
  } catch (error) {
    if (error instanceof errors.JWKSNoMatchingKey)
      throw new DeviceClaimError(
        `No key is registered for device ${claimed}.`,
        claimed,
      );
    if (error instanceof errors.JOSEError)
      throw new DeviceClaimError(
        `The signature does not verify with the key of ${claimed} (${error.code}).`,
        claimed,
      );
    throw error;
  }
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    throw new DeviceClaimError(
      'The signed payload is not JSON (an NGSI-LD entity or an array of them).',
      claimed,
    );
  }
  const entities = Array.isArray(body) ? body : [body];
  if (entities.length === 0)
    throw new DeviceClaimError('The message carries no entity.', claimed);
  return { deviceId: claimed, entities };
}

/** Signs a device's message (devices, tests and the bench; the city never holds a device's private key). */
export async function signDeviceMessage(
  privateKey: CryptoKey | KeyObject,
  deviceId: string,
  entities: unknown,
  alg: (typeof DEVICE_ALGORITHMS)[number] = 'EdDSA',
): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(entities)))
    .setProtectedHeader({ alg, kid: deviceId })
    .sign(privateKey);
}
