/**
 * The MQTT bridge: devices publish signed NGSI-LD readings on
 * `<MQTT_TOPIC_PREFIX><department>/<device id>` (QoS 1); the bridge verifies
 * each message is its device's (lib/ingest/deviceClaim.ts) and feeds it to
 * the same dispatcher as the NGSI endpoints (audit trail, routing by type,
 * the department's own pipeline and quarantine). It runs beside the gateway
 * (docs/decisions/0011-mqtt-bridge-beside-the-gateway.md).
 *
 * At least once: a message is acknowledged (PUBACK) only once every entity
 * of it has an outcome the city keeps (stored, or rejected and quarantined,
 * or refused and recorded); while a department is down its entities are
 * retried with backoff and the message stays unacknowledged, so a bridge
 * that stops or crashes has the broker deliver it again (persistent
 * sessions). Idempotent: a redelivered or replayed message is stored once
 * (a reading's id is its device and observation time).
 */
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import {
  DeviceClaimError,
  deviceOfEntity,
  loadDeviceKeys,
  verifyDeviceMessage,
  type DeviceKeys,
} from '../../lib/ingest/deviceClaim.js';
import { ingestScope } from '../../lib/ingest/ingestTypes.js';
import { NgsiLdErrorType } from '../../lib/ingest/ngsiProblems.js';
import {
  DEPARTMENTS,
  type Config,
  type Department,
} from '../../lib/runtime/config.js';
import type { Logger } from '../../lib/runtime/logger.js';
import { counter } from '../../lib/runtime/metrics.js';
import { createViewer } from '../../lib/runtime/viewer.js';
import {
  DispatchUnavailableError,
  type IngestDispatcher,
} from './ingestDispatcher.js';
import { MAX_BATCH_BYTES, MAX_BATCH_ENTITIES } from './ngsiRoutes.js';

/** The audit trail's operation name of a message. */
export const MQTT_OPERATION = 'MQTT publish';

/** Options of {@link startMqttBridge}. */
export interface MqttBridgeOptions {
  /** `config.mqtt` with its URL set. */
  readonly mqtt: Readonly<Config['mqtt']> & { readonly url: string };
  readonly dispatcher: IngestDispatcher;
  readonly logger: Logger;
  /**
   * How often the device key file is checked for changes (a device enrolled
   * or revoked takes effect without a restart).
   * @default 5000
   */
  readonly keyReloadMs?: number;
  /**
   * Longest wait between two attempts at entities a department could not
   * store now.
   * @default 30000
   */
  readonly maxRetryDelayMs?: number;
}

/** A running bridge. */
export interface MqttBridge {
  /** `subscribed` once every connection holds its subscriptions, else `connecting`. */
  status(): 'subscribed' | 'connecting';
  /** Resolves when every connection is subscribed. */
  readonly ready: Promise<void>;
  /** Disconnects; messages still being handled stay unacknowledged (the broker delivers them again). */
  stop(): Promise<void>;
}

const messages = counter(
  'mqtt_messages_total',
  'MQTT messages handled by the bridge, by department and outcome (accepted, partial, refused).',
  ['department', 'outcome'],
);
const retries = counter(
  'mqtt_retries_total',
  'Attempts the bridge repeated because a department could not store entities now, by department.',
  ['department'],
);

/** The department and device of a topic under the prefix, or null. */
export function parseDeviceTopic(
  prefix: string,
  topic: string,
): { department: Department; deviceId: string } | null {
  if (!topic.startsWith(prefix)) return null;
  const [department, deviceId, ...rest] = topic.slice(prefix.length).split('/');
  if (
    rest.length > 0 ||
    !deviceId ||
    !(DEPARTMENTS as readonly string[]).includes(department ?? '')
  )
    return null;
  return { department: department as Department, deviceId };
}

/** The topics the bridge subscribes to (shared, so each message reaches one connection). */
export function bridgeTopics(
  mqtt: Pick<Config['mqtt'], 'topicPrefix' | 'shareGroup'>,
): string[] {
  return DEPARTMENTS.map(
    (d) => `$share/${mqtt.shareGroup}/${mqtt.topicPrefix}${d}/+`,
  );
}

/** The device keys, re-read when the file changes. */
function watchedKeys(file: string, intervalMs: number, logger: Logger) {
  let keys: DeviceKeys | null = null;
  let mtime = -1;
  const load = async () => {
    const current = await stat(file).then(
      (s) => s.mtimeMs,
      () => 0,
    );
    if (current === mtime && keys) return;
    try {
      keys = await loadDeviceKeys(file);
      mtime = current;
      logger.info(
        { file, devices: keys.size },
        'mqtt bridge: device keys loaded',
      );
    } catch (error) {
      logger.error(
        { file, err: error instanceof Error ? error.message : String(error) },
        'mqtt bridge: device keys not readable (the previous ones stay)',
      );
    }
  };
  const timer = setInterval(() => void load(), intervalMs);
  timer.unref();
  return {
    load,
    current: (): DeviceKeys => keys ?? { size: 0, verify: noKey },
    stop: () => clearInterval(timer),
  };
}

async function noKey(): Promise<never> {
  throw new Error('no device keys loaded');
}

/** Starts the bridge: one client per `mqtt.connections`, each handling one message at a time. */
export async function startMqttBridge(
  options: MqttBridgeOptions,
): Promise<MqttBridge> {
  const { mqtt, dispatcher } = options;
  const logger = options.logger.child({ component: 'mqtt-bridge' });
  const keys = watchedKeys(
    mqtt.deviceKeysFile,
    options.keyReloadMs ?? 5000,
    logger,
  );
  await keys.load();
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
  let stopping = false;
  const stopped = new AbortController();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      stopped.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });

  const refuse = async (
    department: Department,
    deviceId: string,
    requestId: string,
    reason: string,
    started: number,
  ) => {
    messages.inc({ department, outcome: 'refused' });
    logger.warn(
      { requestId, department, claimedDevice: deviceId, reason },
      'mqtt message refused: not signed by its device',
    );
    await dispatcher.recordRefusal({
      requestId,
      operationName: MQTT_OPERATION,
      clientName: 'mqtt',
      clientVersion: null,
      viewer: createViewer(`device:${deviceId}`),
      code: 'DEVICE_UNAUTHENTICATED',
      durationMs: performance.now() - started,
    });
  };

  /** Handles one message; resolves when it may be acknowledged, never when stopping first. */
  const handle = async (topic: string, payload: Buffer): Promise<boolean> => {
    const started = performance.now();
    const requestId = randomUUID();
    const target = parseDeviceTopic(mqtt.topicPrefix, topic);
    if (!target) {
      logger.warn({ topic }, 'mqtt message on an unknown topic: ignored');
      return true;
    }
    const { department, deviceId } = target;
    if (payload.length > MAX_BATCH_BYTES) {
      await refuse(
        department,
        deviceId,
        requestId,
        `message over ${MAX_BATCH_BYTES} bytes`,
        started,
      );
      return true;
    }
    let entities: readonly unknown[];
    try {
      ({ entities } = await verifyDeviceMessage(
        keys.current(),
        deviceId,
        payload.toString('utf8'),
      ));
    } catch (error) {
      if (!(error instanceof DeviceClaimError)) throw error;
      await refuse(department, deviceId, requestId, error.message, started);
      return true;
    }
    if (entities.length > MAX_BATCH_ENTITIES) {
      await refuse(
        department,
        deviceId,
        requestId,
        `more than ${MAX_BATCH_ENTITIES} entities`,
        started,
      );
      return true;
    }

    const viewer = createViewer(`device:${deviceId}`, [
      ingestScope(department),
    ]);
    let pending = entities.map((_, i) => i);
    let delay = 500;
    let rejected = 0;
    for (let attempt = 0; !stopping; attempt += 1) {
      if (attempt > 0) {
        retries.inc({ department });
        await sleep(delay);
        delay = Math.min(delay * 2, maxRetryDelayMs);
        if (stopping) break;
      }
      try {
        const results = await dispatcher.dispatch({
          requestId: attempt === 0 ? requestId : randomUUID(),
          operationName: MQTT_OPERATION,
          viewer,
          clientName: 'mqtt',
          clientVersion: null,
          format: 'ngsi-ld',
          keyValues: false,
          source: { kind: 'device', id: deviceId },
          entities: pending.map((i) => entities[i]),
          precheck: (entity) => {
            const speaksFor = deviceOfEntity(entity);
            return speaksFor !== null && speaksFor !== deviceId
              ? {
                  reason: 'DEVICE_MISMATCH',
                  detail: `Device ${deviceId} signed an entity of ${speaksFor}: each device publishes its own readings only.`,
                }
              : null;
          },
        });
        const again: number[] = [];
        results.forEach((result, k) => {
          if (result.ok) return;
          if (result.problem.type === NgsiLdErrorType.InternalError)
            again.push(pending[k] ?? -1);
          else rejected += 1;
        });
        if (again.length > 0)
          logger.warn(
            { requestId, department, retrying: again.length },
            'mqtt message: a department could not store entities now; retrying',
          );
        pending = again;
      } catch (error) {
        if (!(error instanceof DispatchUnavailableError)) throw error;
        logger.warn(
          { requestId, department },
          'mqtt message: the audit trail cannot record it now; retrying',
        );
      }
      if (pending.length === 0) {
        messages.inc({
          department,
          outcome: rejected === 0 ? 'accepted' : 'partial',
        });
        return true;
      }
    }
    return false;
  };

  const clients: MqttClient[] = [];
  const subscribed = new Set<number>();
  const topics = bridgeTopics(mqtt);
  const ready = Promise.all(
    Array.from({ length: mqtt.connections }, (_, index) => {
      const clientOptions: IClientOptions = {
        clientId: `${mqtt.clientId}-${index}`,
        // A persistent session: what arrives while the bridge is away, or
        // was not acknowledged, is delivered when it is back.
        clean: false,
        protocolVersion: 5,
        properties: { sessionExpiryInterval: 24 * 3600 },
        reconnectPeriod: 1000,
        ...(mqtt.username === undefined ? {} : { username: mqtt.username }),
        ...(mqtt.password === undefined ? {} : { password: mqtt.password }),
      };
      const client = connect(mqtt.url, clientOptions);
      clients.push(client);
      // The client hands messages over one at a time and sends the PUBACK
      // when this callback is called: only once the message is kept.
      client.handleMessage = (packet, callback) => {
        if (packet.cmd !== 'publish') {
          callback();
          return;
        }
        const payload =
          typeof packet.payload === 'string'
            ? Buffer.from(packet.payload)
            : Buffer.from(packet.payload);
        handle(packet.topic, payload).then(
          (ack) => {
            if (ack) callback();
          },
          (error: unknown) => {
            logger.error(
              {
                topic: packet.topic,
                err: error instanceof Error ? error.message : String(error),
              },
              'mqtt message could not be handled; it stays unacknowledged',
            );
          },
        );
      };
      client.on('error', (error) =>
        logger.warn({ err: error.message }, 'mqtt bridge connection error'),
      );
      client.on('offline', () => subscribed.delete(index));
      return new Promise<void>((resolve) => {
        client.on('connect', () => {
          client.subscribe(topics, { qos: 1 }, (error) => {
            if (error) {
              logger.error(
                { err: error.message },
                'mqtt bridge could not subscribe',
              );
              return;
            }
            subscribed.add(index);
            resolve();
          });
        });
      });
    }),
  ).then(() => {
    logger.info(
      { url: mqtt.url, topics, connections: mqtt.connections },
      'mqtt bridge subscribed',
    );
  });

  return {
    status: () =>
      subscribed.size === mqtt.connections ? 'subscribed' : 'connecting',
    ready,
    async stop() {
      stopping = true;
      stopped.abort();
      keys.stop();
      // Forced: a message still in hand is not acknowledged, so the broker
      // delivers it again to the next session.
      await Promise.all(
        clients.map(
          (c) => new Promise<void>((r) => c.end(true, {}, () => r())),
        ),
      );
    },
  };
}
