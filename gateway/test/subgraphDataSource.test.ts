import { generateKeyPairSync } from 'node:crypto';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  GATEWAY_TOKEN_HEADER,
  verifyGatewayToken,
} from '../../lib/runtime/gatewayToken.js';
import { createSilentLogger } from '../../lib/runtime/logger.js';
import { createMemoryReplayStore } from '../../lib/runtime/replayStore.js';
import { createViewer, type Viewer } from '../../lib/runtime/viewer.js';
import type { GatewayContext } from '../src/context.js';
import {
  CityGraphDataSource,
  type SubgraphFetch,
} from '../src/subgraphDataSource.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');

interface Call {
  headers: Record<string, string>;
  body: string;
}

/**
 * A subgraph that records each fetch and answers all of them once the test
 * opens it. No timing: a caller joins an in-flight fetch synchronously, so
 * any fetch that was not shared is recorded before its caller's answer.
 */
function heldSubgraph() {
  const calls: Call[] = [];
  let open: (outcome: { status: number; text: string } | Error) => void = () =>
    undefined;
  const gate = new Promise<{ status: number; text: string } | Error>(
    (resolve) => (open = resolve),
  );
  const fetch: SubgraphFetch = async (_url, init) => {
    calls.push({ headers: init.headers, body: init.body });
    const outcome = await gate;
    if (outcome instanceof Error) throw outcome;
    return { status: outcome.status, text: async () => outcome.text };
  };
  return { calls, fetch, open };
}

function dataSource(
  fetch: SubgraphFetch,
  deduplicate?: boolean,
  breakerFailures = 3,
) {
  return new CityGraphDataSource({
    name: 'mobility',
    url: 'http://127.0.0.1:1/graphql',
    signingKey: privateKey,
    tokenTtlSeconds: 60,
    timeoutMs: 5000,
    breakerFailures,
    breakerOpenMs: 5000,
    logger: createSilentLogger(),
    fetch,
    ...(deduplicate === undefined ? {} : { deduplicate }),
  });
}

let requests = 0;
function request(
  viewer: Viewer,
  query: string,
  variables: Record<string, unknown> = {},
  context: Partial<GatewayContext> = {},
): GraphQLDataSourceProcessOptions<GatewayContext> {
  return {
    // GraphQLDataSourceRequestKind.INCOMING_OPERATION (not exported at runtime).
    kind: 'incoming operation',
    request: { query, variables },
    document: parse(query),
    context: {
      viewer,
      requestId: `req-${++requests}`,
      logger: createSilentLogger(),
      subgraphsCalled: new Set<string>(),
      auditedWrite: false,
      ...context,
    },
    incomingRequestContext: {},
  } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;
}

const SENSOR = 'query S__mobility__0($id:ID!){trafficSensor(id:$id){id name}}';
const ANSWER = '{"data":{"trafficSensor":{"id":"s1","name":"Canebière"}}}';
const staff = createViewer('agent-01', ['mobility:read'], ['staff']);

async function claims(call: Call) {
  return verifyGatewayToken(publicKey, call.headers[GATEWAY_TOKEN_HEADER], {
    subgraph: 'mobility',
    body: call.body,
    replay: createMemoryReplayStore(),
  });
}

describe('CityGraphDataSource in-flight deduplication', () => {
  it('sends identical concurrent queries of one access class once, with one valid token, each caller getting its own copy', async () => {
    const { calls, fetch, open } = heldSubgraph();
    const source = dataSource(fetch);
    const first = request(staff, SENSOR, { id: 's1' });
    const second = request(
      createViewer('agent-01', ['mobility:read'], ['staff']),
      SENSOR,
      { id: 's1' },
    );
    const answers = Promise.all([
      source.process(first),
      source.process(second),
    ]);
    open({ status: 200, text: ANSWER });
    const [a, b] = await answers;
    expect(calls).toHaveLength(1);
    expect(a).toEqual(JSON.parse(ANSWER));
    expect(b).toEqual(JSON.parse(ANSWER));
    expect(a).not.toBe(b);
    expect(a.data).not.toBe(b.data);
    // Both requests name the subgraph in their audit event.
    expect(second.context.subgraphsCalled.has('mobility')).toBe(true);
    // One fetch, one token, good once for exactly that body.
    const [call] = calls;
    if (!call) throw new Error('no call');
    const replay = createMemoryReplayStore();
    const verify = () =>
      verifyGatewayToken(publicKey, call.headers[GATEWAY_TOKEN_HEADER], {
        subgraph: 'mobility',
        body: call.body,
        replay,
      });
    await expect(verify()).resolves.toMatchObject({
      viewer: { subject: 'agent-01' },
    });
    await expect(verify()).rejects.toThrow(/already used/);
  });

  it('never shares a fetch between callers whose scopes, policies or subject differ', async () => {
    const { calls, fetch, open } = heldSubgraph();
    const source = dataSource(fetch);
    const viewers = [
      staff,
      createViewer('agent-01', [], ['staff']),
      createViewer('agent-01', ['mobility:read'], []),
      createViewer('agent-02', ['mobility:read'], ['staff']),
      createViewer(null),
    ];
    const answers = Promise.all(
      viewers.map((v) => source.process(request(v, SENSOR, { id: 's1' }))),
    );
    open({ status: 200, text: ANSWER });
    await answers;
    expect(calls).toHaveLength(viewers.length);
    const seen = await Promise.all(calls.map(claims));
    const classOf = (v: Viewer) => [v.subject, [...v.scopes], [...v.policies]];
    expect(seen.map((c) => classOf(c.viewer)).sort()).toEqual(
      viewers.map(classOf).sort(),
    );
  });

  it('never shares a mutation, even identical and from one caller', async () => {
    const { calls, fetch, open } = heldSubgraph();
    const source = dataSource(fetch);
    const mutation =
      'mutation M__mobility__0($id:ID!){setSignalPlan(id:$id){id}}';
    const answers = Promise.all([
      source.process(request(staff, mutation, { id: 'tl1' })),
      source.process(request(staff, mutation, { id: 'tl1' })),
      // A mutation the planner wrote without the document attached.
      source.process({
        ...request(staff, mutation, { id: 'tl1' }),
        document: undefined,
      } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>),
    ]);
    open({ status: 200, text: '{"data":{"setSignalPlan":null}}' });
    await answers;
    expect(calls).toHaveLength(3);
  });

  it('shares nothing across different variables, nor after the fetch ended, nor when turned off', async () => {
    const { calls, fetch, open } = heldSubgraph();
    const source = dataSource(fetch);
    const pending = Promise.all([
      source.process(request(staff, SENSOR, { id: 's1' })),
      source.process(request(staff, SENSOR, { id: 's2' })),
    ]);
    open({ status: 200, text: ANSWER });
    await pending;
    expect(calls).toHaveLength(2);
    await source.process(request(staff, SENSOR, { id: 's1' }));
    expect(calls).toHaveLength(3);

    const off = heldSubgraph();
    const plain = dataSource(off.fetch, false);
    const both = Promise.all([
      plain.process(request(staff, SENSOR, { id: 's1' })),
      plain.process(request(staff, SENSOR, { id: 's1' })),
    ]);
    off.open({ status: 200, text: ANSWER });
    await both;
    expect(off.calls).toHaveLength(2);
  });

  it('gives every caller of a failed shared fetch its own DOWNSTREAM_SERVICE_ERROR, counted once by the breaker', async () => {
    const { calls, fetch, open } = heldSubgraph();
    const source = dataSource(fetch, true, 2);
    const answers = Promise.allSettled([
      source.process(request(staff, SENSOR, { id: 's1' })),
      source.process(request(staff, SENSOR, { id: 's1' })),
    ]);
    open(new Error('ECONNREFUSED'));
    const results = await answers;
    expect(calls).toHaveLength(1);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect(
        (result as PromiseRejectedResult).reason as { extensions: unknown },
      ).toMatchObject({
        extensions: {
          code: 'DOWNSTREAM_SERVICE_ERROR',
          serviceName: 'mobility',
          reason: 'unreachable',
        },
      });
    }
    // Two failures would open the circuit: one shared fetch counts once.
    expect(source.breaker.state).toBe('closed');
  });
});

describe('CityGraphDataSource enforcement reports', () => {
  const report = {
    decisions: [
      {
        coordinate: 'TrafficLight.signalPlan',
        decision: 'allowed',
        rule: 'scope mobility:staff',
      },
    ],
    records: [
      {
        type: 'TrafficLight',
        id: 'mob-tl-13201-01',
        subject: null,
        fields: ['TrafficLight.signalPlan'],
        personalData: false,
      },
    ],
  };

  it("takes the subgraph's report out of the response and hands it to the audit event", async () => {
    const { fetch, open } = heldSubgraph();
    const source = dataSource(fetch);
    const options = request(staff, SENSOR, { id: 's1' }, { enforcement: [] });
    const answer = source.process(options);
    open({
      status: 200,
      text: JSON.stringify({
        data: { trafficSensor: null },
        extensions: { cityAccess: report, other: 1 },
      }),
    });
    const response = await answer;
    expect(response.extensions).toEqual({ other: 1 });
    expect(JSON.stringify(response)).not.toContain('cityAccess');
    expect(options.context.enforcement).toEqual([
      { subgraph: 'mobility', report },
    ]);
  });

  it('drops a malformed report, which then counts as nothing evaluated', async () => {
    const { fetch, open } = heldSubgraph();
    const source = dataSource(fetch);
    const options = request(staff, SENSOR, { id: 's1' }, { enforcement: [] });
    const answer = source.process(options);
    open({
      status: 200,
      text: JSON.stringify({
        data: { trafficSensor: null },
        extensions: { cityAccess: { decisions: 'all allowed' } },
      }),
    });
    const response = await answer;
    expect(response.extensions).toBeUndefined();
    expect(options.context.enforcement).toEqual([]);
  });
});
