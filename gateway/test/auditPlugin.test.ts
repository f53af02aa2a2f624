import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { AuditEventInput } from '../../lib/records/audit/index.js';
import { UnauthenticatedError } from '../../lib/runtime/errors.js';
import { createSilentLogger } from '../../lib/runtime/logger.js';
import { createViewer, withPurpose } from '../../lib/runtime/viewer.js';
import {
  citizenViewer,
  createAuditedServer,
  fixtureSupergraphSdl,
  fixtureWrites,
  gatewayContext,
  piiViewer,
} from './auditFixture.js';
import {
  AUDIT_UNAVAILABLE_MESSAGE,
  AUDIT_UNAVAILABLE_WRITE_MESSAGE,
} from '../src/plugins/auditPlugin.js';
import type { GatewayContext } from '../src/context.js';

const logger = createSilentLogger();
const supergraph = fixtureSupergraphSdl();

function memoryTrail(fail = false) {
  const events: AuditEventInput[] = [];
  return {
    events,
    async record(event: AuditEventInput) {
      if (fail) throw new Error('audit store down');
      events.push(event);
    },
  };
}

function single(
  response: Awaited<
    ReturnType<ReturnType<typeof createAuditedServer>['executeOperation']>
  >,
) {
  if (response.body.kind !== 'single')
    throw new Error('expected a single result');
  return response.body.singleResult;
}

describe('auditPlugin', () => {
  it('records the decisions the subgraph reported, with the rule that decided each', async () => {
    const trail = memoryTrail();
    const server = createAuditedServer({
      trail,
      getSupergraphSdl: () => supergraph,
      logger,
    });
    await server.executeOperation(
      {
        query:
          'query Reports { reports { id title reporterEmail internalNote } }',
      },
      { contextValue: gatewayContext(citizenViewer, 'req-citizen') },
    );
    expect(trail.events).toHaveLength(1);
    expect(trail.events[0]).toMatchObject({
      requestId: 'req-citizen',
      subject: 'citizen-01',
      scopes: ['citizen'],
      clientName: 'dashboard',
      clientVersion: '1.0.0',
      operationName: 'Reports',
      subgraphs: ['engagement'],
      outcome: 'partial',
      errorCodes: ['FORBIDDEN'],
      fields: [
        {
          coordinate: 'Report.internalNote',
          rule: 'authentication',
          decision: 'allowed',
        },
        {
          coordinate: 'Report.reporterEmail',
          rule: 'scope engagement:pii',
          decision: 'denied',
        },
      ],
    });
    expect(trail.events[0]?.documentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('records what the subgraph decided: anonymous denied, cleared staff allowed', async () => {
    const trail = memoryTrail();
    const server = createAuditedServer({
      trail,
      getSupergraphSdl: () => supergraph,
      logger,
    });
    const query = '{ reports { reporterEmail } }';
    await server.executeOperation(
      { query },
      { contextValue: gatewayContext() },
    );
    await server.executeOperation(
      { query },
      { contextValue: gatewayContext(piiViewer) },
    );
    expect(
      trail.events.map((event) => [event.subject, event.fields[0]?.decision]),
    ).toEqual([
      [null, 'denied'],
      ['staff-01', 'allowed'],
    ]);
  });

  it('records the key of each of three protected records returned, never their values', async () => {
    const trail = memoryTrail();
    const server = createAuditedServer({
      trail,
      getSupergraphSdl: () => supergraph,
      logger,
    });
    await server.executeOperation(
      { query: '{ reports { title reporterEmail } }' },
      { contextValue: gatewayContext(piiViewer) },
    );
    expect(trail.events[0]?.records).toEqual(
      ['r1', 'r2', 'r3'].map((id) => ({
        type: 'Report',
        id,
        subject: null,
        fields: ['Report.reporterEmail'],
        personalData: true,
      })),
    );
    const stored = JSON.stringify(trail.events);
    expect(stored).not.toContain('a@b.fr');
    expect(stored).not.toContain('Broken light');
  });

  it('refuses personal data without a declared purpose and records the refusal; with one, records the purpose', async () => {
    const trail = memoryTrail();
    const server = createAuditedServer({
      trail,
      getSupergraphSdl: () => supergraph,
      logger,
    });
    const staff = createViewer('staff-02', [
      'engagement:staff',
      'engagement:pii',
    ]);
    const refused = single(
      await server.executeOperation(
        { query: '{ reports { id reporterEmail } }' },
        { contextValue: gatewayContext(staff, 'req-no-purpose') },
      ),
    );
    expect(refused.errors?.[0]).toMatchObject({
      message: expect.stringMatching(
        /^Report\.reporterEmail is personal data: declare the purpose of this request in the x-data-purpose header/,
      ) as unknown,
      extensions: { code: 'FORBIDDEN' },
    });
    expect(trail.events[0]).toMatchObject({
      requestId: 'req-no-purpose',
      purpose: null,
      outcome: 'partial',
      errorCodes: ['FORBIDDEN'],
      records: [],
      fields: [
        {
          coordinate: 'Report.reporterEmail',
          decision: 'denied',
          rule: "scope engagement:pii; a declared purpose of the caller's role",
        },
      ],
    });
    await server.executeOperation(
      { query: '{ reports { id reporterEmail } }' },
      {
        contextValue: gatewayContext(
          withPurpose(staff, 'report-follow-up'),
          'req-purpose',
        ),
      },
    );
    expect(trail.events[1]).toMatchObject({
      purpose: 'report-follow-up',
      outcome: 'success',
      fields: [
        {
          coordinate: 'Report.reporterEmail',
          decision: 'allowed',
          rule: 'scope engagement:pii; purpose report-follow-up',
        },
      ],
    });
  });

  it('records no record for a denied field, and the denial', async () => {
    const trail = memoryTrail();
    const server = createAuditedServer({
      trail,
      getSupergraphSdl: () => supergraph,
      logger,
    });
    await server.executeOperation(
      { query: '{ reports { reporterEmail } }' },
      { contextValue: gatewayContext(citizenViewer) },
    );
    expect(trail.events[0]).toMatchObject({
      records: [],
      fields: [
        {
          coordinate: 'Report.reporterEmail',
          decision: 'denied',
          rule: 'scope engagement:pii',
        },
      ],
    });
  });

  it('records a protected field no subgraph evaluated as unevaluated', async () => {
    const trail = memoryTrail();
    const server = createAuditedServer({
      trail,
      getSupergraphSdl: () => supergraph,
      logger,
      enforce: false,
    });
    await server.executeOperation(
      { query: '{ reports { reporterEmail } }' },
      { contextValue: gatewayContext(piiViewer) },
    );
    expect(trail.events[0]?.fields).toEqual([
      {
        coordinate: 'Report.reporterEmail',
        rule: 'scope engagement:pii',
        decision: 'unevaluated',
      },
    ]);
  });

  it('records no protected field for a public operation', async () => {
    const trail = memoryTrail();
    const server = createAuditedServer({
      trail,
      getSupergraphSdl: () => supergraph,
      logger,
    });
    await server.executeOperation(
      { query: '{ districts reports { id title } }' },
      { contextValue: gatewayContext() },
    );
    expect(trail.events[0]).toMatchObject({
      fields: [],
      outcome: 'success',
      subject: null,
      scopes: [],
    });
  });

  it('never records variable values or literals', async () => {
    const trail = memoryTrail();
    const server = createAuditedServer({
      trail,
      getSupergraphSdl: () => supergraph,
      logger,
    });
    await server.executeOperation(
      {
        query: 'query Q($email: String) { reports(email: $email) { id } }',
        variables: { email: 'secret@city.fr' },
      },
      { contextValue: gatewayContext() },
    );
    await server.executeOperation(
      { query: '{ reports(email: "literal@city.fr") { id } }' },
      { contextValue: gatewayContext() },
    );
    const stored = JSON.stringify(trail.events);
    expect(stored).not.toContain('secret@city.fr');
    expect(stored).not.toContain('literal@city.fr');
  });

  it('gives the same document hash to the same operation with other values', async () => {
    const trail = memoryTrail();
    const server = createAuditedServer({
      trail,
      getSupergraphSdl: () => supergraph,
      logger,
    });
    for (const email of ['a@b.fr', 'c@d.fr']) {
      await server.executeOperation(
        { query: `{ reports(email: "${email}") { id } }` },
        { contextValue: gatewayContext() },
      );
    }
    expect(trail.events[0]?.documentHash).toBe(trail.events[1]?.documentHash);
  });

  it('records invalid and unparsable documents as refused', async () => {
    const trail = memoryTrail();
    const server = createAuditedServer({
      trail,
      getSupergraphSdl: () => supergraph,
      logger,
    });
    await server.executeOperation(
      { query: '{ reports { nope } }' },
      { contextValue: gatewayContext() },
    );
    await server.executeOperation(
      { query: '{ reports {' },
      { contextValue: gatewayContext() },
    );
    expect(trail.events).toMatchObject([
      { outcome: 'refused', errorCodes: ['GRAPHQL_VALIDATION_FAILED'] },
      {
        outcome: 'refused',
        errorCodes: ['GRAPHQL_PARSE_FAILED'],
        documentHash: null,
      },
    ]);
    expect(trail.events[0]?.documentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  // As listCostPlugin refuses an operation priced with its variables.
  const refuseResolved: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async didResolveOperation() {
          throw new GraphQLError('Operation too costly.', {
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
          });
        },
      };
    },
  };

  it('records an operation another plugin refused once resolved as refused, its protected fields unevaluated', async () => {
    const trail = memoryTrail();
    const server = createAuditedServer({
      trail,
      getSupergraphSdl: () => supergraph,
      logger,
      before: [refuseResolved],
    });
    await server.executeOperation(
      { query: 'query Mine { reports { id reporterEmail } }' },
      { contextValue: gatewayContext(piiViewer) },
    );
    expect(trail.events).toMatchObject([
      {
        operationName: 'Mine',
        outcome: 'refused',
        errorCodes: ['GRAPHQL_VALIDATION_FAILED'],
        fields: [
          { coordinate: 'Report.reporterEmail', decision: 'unevaluated' },
        ],
        records: [],
      },
    ]);
    expect(trail.events[0]?.documentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps the answer of such a refusal when its event cannot be written (no data leaves)', async () => {
    const server = createAuditedServer({
      trail: memoryTrail(true),
      getSupergraphSdl: () => supergraph,
      logger,
      before: [refuseResolved],
    });
    const result = single(
      await server.executeOperation(
        { query: '{ reports { id reporterEmail } }' },
        { contextValue: gatewayContext(piiViewer) },
      ),
    );
    expect(result.data).toBeUndefined();
    expect(result.errors?.map((e) => e.extensions?.['code'])).toEqual([
      'GRAPHQL_VALIDATION_FAILED',
    ]);
  });

  it('records a write started before it runs, then how it ended', async () => {
    const trail = memoryTrail();
    const server = createAuditedServer({
      trail,
      getSupergraphSdl: () => supergraph,
      logger,
    });
    fixtureWrites.length = 0;
    const result = single(
      await server.executeOperation(
        { query: 'mutation Close { closeReport(id: "r1") { id } }' },
        { contextValue: gatewayContext(citizenViewer, 'req-write') },
      ),
    );
    expect(result.errors).toBeUndefined();
    expect(fixtureWrites).toEqual([{ id: 'r1', audited: true }]);
    expect(
      trail.events.map((event) => [event.requestId, event.outcome]),
    ).toEqual([
      ['req-write', 'started'],
      ['req-write', 'success'],
    ]);
  });

  it('records a write another plugin refused once resolved as refused only, never started', async () => {
    const trail = memoryTrail();
    const server = createAuditedServer({
      trail,
      getSupergraphSdl: () => supergraph,
      logger,
      before: [refuseResolved],
    });
    fixtureWrites.length = 0;
    const result = single(
      await server.executeOperation(
        { query: 'mutation Close { closeReport(id: "r1") { id } }' },
        { contextValue: gatewayContext(citizenViewer) },
      ),
    );
    expect(result.errors?.map((e) => e.extensions?.['code'])).toEqual([
      'GRAPHQL_VALIDATION_FAILED',
    ]);
    expect(fixtureWrites).toEqual([]);
    expect(trail.events).toMatchObject([
      {
        operationName: 'Close',
        outcome: 'refused',
        errorCodes: ['GRAPHQL_VALIDATION_FAILED'],
      },
    ]);
  });

  it('refuses a write with AUDIT_UNAVAILABLE (503) and never runs it when its event cannot be written', async () => {
    const server = createAuditedServer({
      trail: memoryTrail(true),
      getSupergraphSdl: () => supergraph,
      logger,
    });
    fixtureWrites.length = 0;
    const response = await server.executeOperation(
      { query: 'mutation Close { closeReport(id: "r1") { id } }' },
      { contextValue: gatewayContext(citizenViewer) },
    );
    expect(response.http.status).toBe(503);
    expect(single(response)).toEqual({
      errors: [
        {
          message: AUDIT_UNAVAILABLE_WRITE_MESSAGE,
          extensions: { code: 'AUDIT_UNAVAILABLE' },
        },
      ],
    });
    expect(fixtureWrites).toEqual([]);
  });

  it('records a request whose token was refused before execution', async () => {
    const trail = memoryTrail();
    const server = createAuditedServer({
      trail,
      getSupergraphSdl: () => supergraph,
      logger,
    });
    await server.start();
    const response = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: 'POST',
        headers: new HeaderMap([['content-type', 'application/json']]),
        search: '',
        body: { query: '{ districts }' },
      },
      context: async () => {
        throw new UnauthenticatedError('Invalid token: expired.', {
          requestId: 'req-expired',
        });
      },
    });
    await server.stop();
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(trail.events).toMatchObject([
      {
        requestId: 'req-expired',
        outcome: 'refused',
        errorCodes: ['UNAUTHENTICATED'],
        subject: null,
      },
    ]);
  });

  it('re-reads the rules when the supergraph changes', async () => {
    const trail = memoryTrail();
    let sdl = supergraph;
    // No subgraph reports here: what is recorded is the gateway's own
    // reading of the rules, which must follow the supergraph.
    const server = createAuditedServer({
      trail,
      getSupergraphSdl: () => sdl,
      logger,
      enforce: false,
    });
    const query = '{ reports { reporterEmail } }';
    await server.executeOperation(
      { query },
      { contextValue: gatewayContext() },
    );
    sdl = fixtureSupergraphSdl(true);
    await server.executeOperation(
      { query },
      { contextValue: gatewayContext() },
    );
    expect(trail.events.map((event) => event.fields.length)).toEqual([1, 0]);
  });

  it('refuses protected fields with AUDIT_UNAVAILABLE when the event cannot be written', async () => {
    const server = createAuditedServer({
      trail: memoryTrail(true),
      getSupergraphSdl: () => supergraph,
      logger,
    });
    const result = single(
      await server.executeOperation(
        { query: '{ reports { id reporterEmail } }' },
        { contextValue: gatewayContext(piiViewer) },
      ),
    );
    expect(result.data).toBeNull();
    expect(result.errors).toEqual([
      {
        message: AUDIT_UNAVAILABLE_MESSAGE,
        extensions: { code: 'AUDIT_UNAVAILABLE' },
      },
    ]);
  });

  it('still serves public-only operations when the event cannot be written', async () => {
    const server = createAuditedServer({
      trail: memoryTrail(true),
      getSupergraphSdl: () => supergraph,
      logger,
    });
    const result = single(
      await server.executeOperation(
        { query: '{ districts }' },
        { contextValue: gatewayContext() },
      ),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ districts: ['13201', '13202'] });
  });

  it('fails closed when the rules cannot be read and the event cannot be written', async () => {
    const server = createAuditedServer({
      trail: memoryTrail(true),
      getSupergraphSdl: () => 'not a supergraph {',
      logger,
    });
    const result = single(
      await server.executeOperation(
        { query: '{ districts }' },
        { contextValue: gatewayContext() },
      ),
    );
    expect(result.errors?.[0]?.extensions?.['code']).toBe('AUDIT_UNAVAILABLE');
  });
});
