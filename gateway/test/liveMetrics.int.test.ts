/**
 * The live service's families on `/metrics` (docs/operations.md, "Metrics"):
 * connections and subscriptions open now, events delivered with their
 * delivery latency, and refusals by code, moving as a real graphql-ws client
 * connects, subscribes, receives an event and leaves.
 */
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { CityEvent } from '../../lib/runtime/cityEvents.js';
import { createMemoryEventBroker } from '../../lib/runtime/eventBroker.js';
import { startFixtureGateway, type GatewayOver } from './startGatewayOver.js';

/** The value of one sample line (`name{labels} value`) of a scrape, or 0. */
function valueOf(scrape: string, name: string, labels: string[]): number {
  const line = scrape
    .split('\n')
    .find(
      (candidate) =>
        candidate.startsWith(`${name}{`) &&
        labels.every((label) => candidate.includes(label)),
    );
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

const trafficChanged = (district: string, n: number): CityEvent => ({
  id: `traffic-${district}-${n}`,
  department: 'mobility',
  type: 'traffic.changed',
  entity: { type: 'District', id: district },
  district,
  occurredAt: new Date(),
  payload: {},
});

describe('live service metrics', () => {
  const broker = createMemoryEventBroker();
  let fixture: GatewayOver;
  let client: Client;
  const scrape = async () => (await fetch(`${fixture.base}/metrics`)).text();
  const field = 'field="trafficChanged"';

  beforeAll(async () => {
    fixture = await startFixtureGateway({ events: broker });
    client = createClient({
      url: `${fixture.base.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
  });
  afterAll(async () => {
    await client.dispose();
    await fixture.stop();
  });

  it('counts a connection and a subscription while open, and an event delivered to it', async () => {
    const before = await scrape();
    const received: unknown[] = [];
    let resolveFirst!: () => void;
    const first = new Promise<void>((resolve) => (resolveFirst = resolve));
    const dispose = client.subscribe(
      {
        query:
          'subscription Watch { trafficChanged(district: "13202") { name } }',
      },
      {
        next: (value) => {
          received.push(value);
          resolveFirst();
        },
        error: () => {},
        complete: () => {},
      },
    );
    await expect
      .poll(async () =>
        valueOf(await scrape(), 'gateway_live_subscriptions', [field]),
      )
      .toBe(valueOf(before, 'gateway_live_subscriptions', [field]) + 1);
    expect(
      valueOf(await scrape(), 'gateway_live_connections', [
        'transport="websocket"',
      ]),
    ).toBe(1);

    await broker.append('mobility', [trafficChanged('13202', 1)]);
    await first;
    expect(received).toEqual([
      { data: { trafficChanged: { name: 'Marseille 2e' } } },
    ]);
    const after = await scrape();
    expect(valueOf(after, 'gateway_live_events_delivered_total', [field])).toBe(
      valueOf(before, 'gateway_live_events_delivered_total', [field]) + 1,
    );
    expect(valueOf(after, 'gateway_live_delivery_seconds_count', [field])).toBe(
      valueOf(before, 'gateway_live_delivery_seconds_count', [field]) + 1,
    );

    dispose();
    await expect
      .poll(async () =>
        valueOf(await scrape(), 'gateway_live_subscriptions', [field]),
      )
      .toBe(valueOf(before, 'gateway_live_subscriptions', [field]));
  });

  it('counts a refused subscription by its code', async () => {
    const code = ['code="GRAPHQL_VALIDATION_FAILED"'];
    const before = valueOf(
      await scrape(),
      'gateway_live_subscriptions_refused_total',
      code,
    );
    const refused = await new Promise<unknown>((resolve) => {
      client.subscribe(
        {
          query: 'subscription { trafficChanged(district: "13202") { nope } }',
        },
        { next: () => {}, error: resolve, complete: () => resolve(null) },
      );
    });
    expect(refused).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('nope'),
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      }),
    ]);
    expect(
      valueOf(await scrape(), 'gateway_live_subscriptions_refused_total', code),
    ).toBe(before + 1);
  });

  it('counts connections closed when the client leaves', async () => {
    await client.dispose();
    await expect
      .poll(async () =>
        valueOf(await scrape(), 'gateway_live_connections', [
          'transport="websocket"',
        ]),
      )
      .toBe(0);
  });
});
