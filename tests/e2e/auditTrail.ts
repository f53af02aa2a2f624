/**
 * Not a test file: the record-level audit trail through the running city
 * (issue 14), run by cityGraph.e2e.test.ts. Decisions come from the
 * subgraph that enforced them, records are named by their keys, and a
 * citizen's access report lists exactly the reads of their data.
 */
import { describe, expect, it } from 'vitest';
import { generateMobilitySeed } from '../../subgraphs/mobility/src/seed.js';
import type { CityGraph } from './cityGraph.js';

interface AuditedEvent {
  operationName: string | null;
  outcome: string;
  fields: { coordinate: string; decision: string; rule: string }[];
  records: {
    type: string;
    id: string;
    subject: string | null;
    fields: string[];
  }[];
}

/** Registers the scenarios on the graph `get()` returns once started. */
export function defineAuditTrailScenarios(get: () => CityGraph): void {
  describe('the record-level audit trail (issue 14)', () => {
    const eventsOf = async (
      filter: string,
      operationName: string,
    ): Promise<AuditedEvent[]> => {
      const graph = get();
      const auditor = await graph.token('auditor-01', ['audit:read']);
      const result = await graph.query(
        `{ auditEvents(filter: ${filter}, first: 5) { nodes { operationName outcome fields { coordinate decision rule } records { type id subject fields } } } }`,
        {},
        { token: auditor, headers: { 'x-data-purpose': 'audit' } },
      );
      expect(result.errors).toBeUndefined();
      return (
        result.data?.['auditEvents'] as { nodes: AuditedEvent[] }
      ).nodes.filter((event) => event.operationName === operationName);
    };

    it('records a signal plan refused on a light under maintenance as denied by its document rule', async () => {
      const graph = get();
      const light = generateMobilitySeed().lights.find(
        (l) => l.status === 'MAINTENANCE',
      );
      if (!light) throw new Error('the seed has no light under maintenance');
      const controller = await graph.token('ctl-e2e', ['mobility:control']);
      const result = await graph.query(
        `mutation MaintenancePlan($id: ID!) { setSignalPlan(trafficLightId: $id, plan: { name: "Soir", cycleSeconds: 100, phases: [{ name: "a", greenSeconds: 50 }, { name: "b", greenSeconds: 40 }] }) { id } }`,
        { id: light._id },
        { token: controller },
      );
      expect(result.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      // Nothing of the report reaches the client.
      expect(JSON.stringify(result)).not.toContain('cityAccess');
      const events = await eventsOf(
        '{ field: "Mutation.setSignalPlan" }',
        'MaintenancePlan',
      );
      const ended = events.find((event) => event.outcome !== 'STARTED');
      expect(ended?.fields).toEqual([
        {
          coordinate: 'Mutation.setSignalPlan',
          decision: 'DENIED',
          rule: 'document rule canControlTrafficLight (no new plan on a light under maintenance)',
        },
      ]);
      // The event written before the write ran: nothing evaluated yet.
      expect(
        events.find((event) => event.outcome === 'STARTED')?.fields,
      ).toEqual([
        {
          coordinate: 'Mutation.setSignalPlan',
          decision: 'UNEVALUATED',
          rule: 'scope mobility:control',
        },
      ]);
    });

    it('records the keys of the three protected reports a query returned, and finds the event by each', async () => {
      const graph = get();
      const staff = await graph.token('pii-e2e', [
        'engagement:staff',
        'engagement:pii',
      ]);
      const result = await graph.query(
        'query ThreeReports { citizenReports(first: 3) { nodes { id reporterEmail } } }',
        {},
        { token: staff, headers: { 'x-data-purpose': 'report-follow-up' } },
      );
      expect(result.errors).toBeUndefined();
      const ids = (
        result.data?.['citizenReports'] as { nodes: { id: string }[] }
      ).nodes.map((node) => node.id);
      expect(ids).toHaveLength(3);
      for (const id of ids) {
        const [event] = await eventsOf(
          `{ entity: { type: "CitizenReport", id: "${id}" } }`,
          'ThreeReports',
        );
        expect(event?.records.map((record) => record.id).sort()).toEqual(
          [...ids].sort(),
        );
        expect(event?.records[0]?.fields).toEqual([
          'CitizenReport.reporterEmail',
        ]);
      }
    });

    it('refuses personal data read without a declared purpose, and records the refusal', async () => {
      const graph = get();
      const staff = await graph.token('pii-e2e-3', [
        'engagement:staff',
        'engagement:pii',
      ]);
      const result = await graph.query(
        'query NoPurpose { citizenReports(first: 1) { nodes { id reporterEmail } } }',
        {},
        { token: staff },
      );
      expect(result.errors?.[0]).toMatchObject({
        extensions: { code: 'FORBIDDEN' },
      });
      expect(result.errors?.[0]?.message).toMatch(
        /personal data: declare the purpose of this request in the x-data-purpose header/,
      );
      const [event] = await eventsOf(
        '{ field: "CitizenReport.reporterEmail", decision: DENIED }',
        'NoPurpose',
      );
      expect(event?.fields).toContainEqual({
        coordinate: 'CitizenReport.reporterEmail',
        decision: 'DENIED',
        rule: "scope engagement:pii; a declared purpose of the caller's role",
      });
      expect(event?.records).toEqual([]);
    });

    it("lists in a citizen's access report exactly the reads of their report's personal data", async () => {
      const graph = get();
      const citizen = await graph.token('citizen-e2e-access', ['citizen']);
      const submitted = await graph.query(
        `mutation File { submitCitizenReport(input: { serviceCode: "voirie-chaussee", description: "Un nid de poule profond devant le 12.", location: { lat: 43.2965, lon: 5.3698 }, reporter: { name: "Ada", email: "ada@example.org" } }) { id } }`,
        {},
        { token: citizen },
      );
      expect(submitted.errors).toBeUndefined();
      const id = (submitted.data?.['submitCitizenReport'] as { id: string }).id;
      const staff = await graph.token('pii-e2e-2', [
        'engagement:staff',
        'engagement:pii',
      ]);
      const read = await graph.query(
        'query ReadOne($id: ID!) { citizenReport(id: $id) { id reporterName reporterEmail } }',
        { id },
        { token: staff, headers: { 'x-data-purpose': 'data-subject-request' } },
      );
      expect(read.errors).toBeUndefined();
      // A public read of the same report is not a read of personal data.
      await graph.query(
        'query PublicRead($id: ID!) { citizenReport(id: $id) { id description } }',
        { id },
      );
      const auditor = await graph.token('auditor-01', ['audit:read']);
      const report = await graph.query(
        '{ personalDataAccessReport(subject: "citizen-e2e-access") { totalCount reads { reader purpose operationName records { type id fields } } } }',
        {},
        { token: auditor, headers: { 'x-data-purpose': 'audit' } },
      );
      expect(report.errors).toBeUndefined();
      expect(report.data?.['personalDataAccessReport']).toEqual({
        totalCount: 1,
        reads: [
          {
            reader: 'pii-e2e-2',
            purpose: 'data-subject-request',
            operationName: 'ReadOne',
            records: [
              {
                type: 'CitizenReport',
                id,
                fields: [
                  'CitizenReport.reporterEmail',
                  'CitizenReport.reporterName',
                ],
              },
            ],
          },
        ],
      });
    });
  });
}
