/**
 * `/metrics` on the gateway: the Prometheus families of docs/operations.md
 * are exposed, and they move when requests flow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('gateway /metrics', () => {
  let fixture: GatewayOver;
  const scrape = async () => {
    const response = await fetch(`${fixture.base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    return response.text();
  };
  const query = (body: object) =>
    fetch(`${fixture.base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    fixture = await startFixtureGateway();
  });
  afterAll(() => fixture.stop());

  it('exposes the runtime, request, fetch and error families', async () => {
    await query({
      query: 'query Families { district(code: "13201") { name } }',
    });
    const text = await scrape();
    for (const family of [
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_seconds',
      'graphql_requests_total',
      'graphql_request_duration_seconds',
      'gateway_subgraph_fetch_duration_seconds',
    ])
      expect(text).toContain(`# TYPE ${family} `);
  });

  it('counts an operation by name and outcome, and its subgraph fetch', async () => {
    const labels = ['operation="Moves"', 'type="query"', 'outcome="ok"'];
    const before = await scrape();
    await query({ query: 'query Moves { district(code: "13202") { name } }' });
    await query({ query: 'query Moves { district(code: "13203") { name } }' });
    const after = await scrape();
    expect(valueOf(after, 'graphql_requests_total', labels)).toBe(
      valueOf(before, 'graphql_requests_total', labels) + 2,
    );
    const fetches = ['subgraph="economy"', 'outcome="ok"'];
    expect(
      valueOf(after, 'gateway_subgraph_fetch_duration_seconds_count', fetches),
    ).toBeGreaterThanOrEqual(
      valueOf(
        before,
        'gateway_subgraph_fetch_duration_seconds_count',
        fetches,
      ) + 2,
    );
  });

  it('counts errors by code', async () => {
    const code = ['code="GRAPHQL_VALIDATION_FAILED"'];
    const before = valueOf(await scrape(), 'graphql_errors_total', code);
    await query({ query: '{ district(code: "13201") { nope } }' });
    expect(valueOf(await scrape(), 'graphql_errors_total', code)).toBe(
      before + 1,
    );
  });

  it('never labels with variables or ids', async () => {
    await query({
      query:
        'query Secretive($code: String!) { district(code: $code) { name } }',
      variables: { code: '13299-unique-value' },
    });
    expect(await scrape()).not.toContain('13299-unique-value');
  });
});
