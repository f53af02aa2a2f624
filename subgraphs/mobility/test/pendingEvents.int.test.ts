import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CityEvent } from '../../../lib/runtime/cityEvents.js';
import { createMemoryEventBroker } from '../../../lib/runtime/eventBroker.js';
import { createSilentLogger } from '../../../lib/runtime/logger.js';
import { createViewer } from '../../../lib/runtime/viewer.js';
import {
  createOutboxPublisher,
  ensureOutboxIndexes,
  OUTBOX_COLLECTION,
  startOutboxRelay,
  type OutboxRelay,
} from '../../../lib/subgraph-kit/eventOutbox.js';
import { upsertAll } from '../../../lib/subgraph-kit/seeding.js';
import { executeAs } from '../../../lib/tooling/testing/executeAs.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../../lib/tooling/testing/testDatabase.js';
import { createModels, type MobilityModels } from '../src/models/index.js';
import { generateMobilitySeed } from '../src/seed.js';
import { createServer } from '../src/server.js';

const SET_PLAN = /* GraphQL */ `
  mutation ($id: ID!, $p: SignalPlanInput!) {
    setSignalPlan(trafficLightId: $id, plan: $p) {
      id
      signalPlan {
        id
        cycleSeconds
      }
    }
  }
`;
const PLAN = {
  name: 'Plan soir',
  cycleSeconds: 100,
  phases: [
    { name: 'a', greenSeconds: 50 },
    { name: 'b', greenSeconds: 40 },
  ],
};
const controller = createViewer('ctl-1', ['mobility:control']);

/**
 * The state write and the outbox write of a change are two writes (localdb
 * has no transactions): the event is recorded on the changed document in the
 * first, so a process that dies before the second loses nothing.
 */
describe('a change whose outbox write never happened (mobility, setSignalPlan)', () => {
  let db: TestDatabase;
  let models: MobilityModels;
  const relays: OutboxRelay[] = [];
  const seed = generateMobilitySeed();
  const outbox = () => db.connection.collection(OUTBOX_COLLECTION);

  /** A mobility server whose outbox publisher is `publish`. */
  const serverWith = async (
    publish: (events: readonly CityEvent[]) => Promise<void>,
  ) => {
    const server = createServer({
      connection: db.connection,
      logger: createSilentLogger(),
      events: { publish },
    });
    await server.apollo.start();
    return server;
  };
  /** The department's relay to an in-memory broker, sweeping what the server declares. */
  const relayTo = (
    broker: ReturnType<typeof createMemoryEventBroker>,
    collections: readonly string[],
  ) => {
    const relay = startOutboxRelay({
      connection: db.connection,
      broker,
      source: 'mobility',
      logger: createSilentLogger(),
      pollIntervalMs: 60_000,
      pendingEventCollections: collections,
      sweepMinAgeMs: 0,
    });
    relays.push(relay);
    return relay;
  };

  beforeAll(async () => {
    db = await startTestDatabase('mobility-pending-events-test');
    models = createModels(db.connection);
    await models.TrafficLight.init();
    await upsertAll(models.TrafficLight, seed.lights);
    await ensureOutboxIndexes(db.connection);
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
    await outbox().deleteMany({});
  });
  afterAll(async () => {
    await db.stop();
  });

  it('keeps the event on the light when the process dies between the two writes, and the relay still delivers it', async () => {
    // "Killed" after the state write: the outbox write never happens.
    const server = await serverWith(async () => {
      throw new Error('process killed before the outbox write');
    });
    const result = await executeAs(
      server,
      SET_PLAN,
      { id: 'mob-tl-13201-02', p: PLAN },
      controller,
    );
    await server.apollo.stop();
    // The change is made and answered as made...
    expect(result.errors).toBeUndefined();
    const planId = (
      result.data?.['setSignalPlan'] as { signalPlan: { id: string } }
    ).signalPlan.id;
    // ...the outbox never had its event, but the light holds it.
    expect(await outbox().countDocuments()).toBe(0);
    const light = await models.TrafficLight.findById('mob-tl-13201-02')
      .lean()
      .exec();
    const eventId = `mob-tl-13201-02@signalPlan/${planId}`;
    expect(light?.pendingEvents?.map((e) => e.id)).toEqual([eventId]);
    expect(light?.signalPlan.planId).toBe(planId);

    // The next process's relay sweeps it into the outbox and on to the broker.
    const broker = createMemoryEventBroker();
    const collections = (await serverWith(async () => undefined))
      .pendingEventCollections;
    expect(collections).toEqual(['traffic_lights']);
    await relayTo(broker, collections).flush();
    expect(broker.entries('mobility').map((e) => e.event)).toEqual([
      {
        id: eventId,
        department: 'mobility',
        type: 'signalPlan.changed',
        entity: { type: 'TrafficLight', id: 'mob-tl-13201-02' },
        district: '13201',
        occurredAt: light?.signalPlan.validFrom,
        payload: { planId },
      },
    ]);
    const swept = await models.TrafficLight.findById('mob-tl-13201-02')
      .lean()
      .exec();
    expect(swept?.pendingEvents).toBeUndefined();
    expect(swept?.pendingSince).toBeUndefined();
    expect(await outbox().countDocuments()).toBe(0);
  });

  it('leaves nothing pending when both writes happen, and a sweep then sends nothing twice', async () => {
    const broker = createMemoryEventBroker();
    const server = await serverWith((events) =>
      createOutboxPublisher({ connection: db.connection }).publish(events),
    );
    const result = await executeAs(
      server,
      SET_PLAN,
      { id: 'mob-tl-13201-03', p: PLAN },
      controller,
    );
    await server.apollo.stop();
    expect(result.errors).toBeUndefined();
    const light = await models.TrafficLight.findById('mob-tl-13201-03')
      .lean()
      .exec();
    expect(light?.pendingEvents).toBeUndefined();
    await relayTo(broker, server.pendingEventCollections).flush();
    expect(broker.entries('mobility')).toHaveLength(1);
  });

  it('sends an event once when the process died after the outbox write but before clearing it', async () => {
    const broker = createMemoryEventBroker();
    const publisher = createOutboxPublisher({ connection: db.connection });
    const server = await serverWith(async (events) => {
      await publisher.publish(events);
      // Dies before the light is cleared: the event is in both places.
      throw new Error('process killed after the outbox write');
    });
    await executeAs(
      server,
      SET_PLAN,
      { id: 'mob-tl-13201-04', p: PLAN },
      controller,
    );
    await server.apollo.stop();
    const light = await models.TrafficLight.findById('mob-tl-13201-04')
      .lean()
      .exec();
    expect(light?.pendingEvents).toHaveLength(1);
    expect(await outbox().countDocuments()).toBe(1);
    await relayTo(broker, server.pendingEventCollections).flush();
    // The outbox knew the id: stored once, sent once (then removed), and the light cleared.
    expect(await outbox().countDocuments()).toBe(0);
    expect(broker.entries('mobility')).toHaveLength(1);
    const swept = await models.TrafficLight.findById('mob-tl-13201-04')
      .lean()
      .exec();
    expect(swept?.pendingEvents).toBeUndefined();
  });
});
