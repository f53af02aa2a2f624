/**
 * Not a test file: the Open311 GeoReport v2 facade (gateway/src/open311Routes.ts)
 * used as a reporting app would use it against the running graph: list the
 * services, post a request (form-encoded, with an api_key), read it back by
 * id and by filters, and the bad requests a client sends.
 */
import { expect, it } from 'vitest';
import type { CityGraph } from './cityGraph.js';

/** Defines the Open311 client flow on `graph()`. */
export function defineOpen311Scenarios(graph: () => CityGraph): void {
  const url = (path: string) =>
    `${graph().gatewayUrl.replace(/\/graphql$/, '')}/open311/v2${path}`;
  const form = (fields: Record<string, string>) =>
    new URLSearchParams(fields).toString();
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(url('/requests.json'), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        ...headers,
      },
      body,
    });
  const request = {
    service_code: 'proprete-tag',
    lat: '43.305',
    long: '5.366',
    address_string: '2 quai de la Joliette, 13002 Marseille',
    description:
      'Tag sur la façade de la mairie annexe, rappelez-moi au 06 12 34 56 78',
    first_name: 'Camille',
    last_name: 'Open',
    email: 'camille.open@example.fr',
  };

  it('Open311: lists the services, files a request with an api_key and reads it back', async () => {
    const services = await fetch(url('/services.json'));
    expect(services.status).toBe(200);
    const list = (await services.json()) as Record<string, unknown>[];
    expect(list).toContainEqual(
      expect.objectContaining({
        service_code: 'proprete-tag',
        metadata: false,
        type: 'realtime',
        group: expect.any(String),
      }),
    );

    const apiKey = await graph().token('citizen-311', ['citizen']);
    const filed = await post(form({ ...request, api_key: apiKey }));
    expect(filed.status).toBe(201);
    const [receipt] = (await filed.json()) as { service_request_id: string }[];
    const id = receipt?.service_request_id ?? '';
    expect(id).toMatch(/^eng-cr-/);

    const one = await fetch(url(`/requests/${id}.json`));
    expect(one.status).toBe(200);
    const [read] = (await one.json()) as Record<string, unknown>[];
    expect(read).toMatchObject({
      service_request_id: id,
      status: 'open',
      service_code: 'proprete-tag',
      address: request.address_string,
      lat: 43.305,
      long: 5.366,
      // Public: the phone number written in it is masked.
      description:
        'Tag sur la façade de la mairie annexe, rappelez-moi au [téléphone masqué]',
    });
    expect(JSON.stringify(read)).not.toContain('camille.open');

    // The district comes from the location; the contact went where the
    // graph keeps it (protected).
    const staff = await graph().token('agent-311', [
      'engagement:staff',
      'engagement:pii',
    ]);
    const graphView = await graph().query(
      'query ($id: ID!) { citizenReport(id: $id) { district { code } reporterEmail reporterName } }',
      { id },
      // Personal data is read for a declared purpose (ADR 0015).
      { token: staff, headers: { 'x-data-purpose': 'report-follow-up' } },
    );
    expect(graphView.data?.['citizenReport']).toEqual({
      district: { code: '13202' },
      reporterEmail: 'camille.open@example.fr',
      reporterName: 'Camille Open',
    });

    const byId = await fetch(
      url(`/requests.json?service_request_id=${id},eng-cr-none`),
    );
    expect(
      ((await byId.json()) as { service_request_id: string }[]).map(
        (r) => r.service_request_id,
      ),
    ).toEqual([id]);
    const filtered = await fetch(
      url(
        '/requests.json?status=open,closed&service_code=proprete-tag,feu-panne',
      ),
    );
    expect(
      filtered.status,
      graph()
        .logs('gateway')
        .filter((line) => line.includes('open311'))
        .join('\n'),
    ).toBe(200);
    const found = (await filtered.json()) as {
      service_request_id: string;
      service_code: string;
    }[];
    expect(found.map((r) => r.service_request_id)).toContain(id);
    expect(
      found.every((r) =>
        ['proprete-tag', 'feu-panne'].includes(r.service_code),
      ),
    ).toBe(true);
  });

  it('Open311: answers bad requests with the spec’s error list and files nothing', async () => {
    const apiKey = await graph().token('citizen-311', ['citizen']);
    const tagReports = async () =>
      (
        await graph().query(
          '{ citizenReports(serviceCode: "proprete-tag", first: 100) { nodes { id } } }',
        )
      ).data?.['citizenReports'];
    const before = await tagReports();
    expect(before).toMatchObject({ nodes: expect.any(Array) });
    const expectError = async (response: Response, status: number) => {
      expect(response.status).toBe(status);
      const body = (await response.json()) as {
        code: number;
        description: string;
      }[];
      expect(body).toEqual([{ code: status, description: expect.any(String) }]);
      return body[0]?.description ?? '';
    };
    // No key: 403, as the spec says for a missing api_key.
    await expectError(await post(form(request)), 403);
    await expectError(
      await post(form({ ...request, api_key: 'not-a-token' })),
      403,
    );
    expect(
      await expectError(
        await post(form({ ...request, lat: '', api_key: apiKey })),
        400,
      ),
    ).toContain('lat and long');
    expect(
      await expectError(
        await post(form({ ...request, service_code: 'ovni', api_key: apiKey })),
        400,
      ),
    ).toContain('serviceCode "ovni"');
    // Paris is not Marseille.
    expect(
      await expectError(
        await post(
          form({ ...request, lat: '48.8566', long: '2.3522', api_key: apiKey }),
        ),
        400,
      ),
    ).toContain('outside Marseille');
    await expectError(
      await post(JSON.stringify(request), { 'content-type': 'text/plain' }),
      415,
    );
    await expectError(
      await post(
        form({ ...request, jurisdiction_id: 'paris.fr', api_key: apiKey }),
      ),
      404,
    );
    await expectError(
      await fetch(url('/requests.json?start_date=yesterday')),
      400,
    );
    await expectError(await fetch(url('/requests.json?status=pending')), 400);
    await expectError(await fetch(url('/requests.json?page_size=100000')), 400);
    await expectError(
      await fetch(
        url(
          '/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-12-01T00:00:00Z',
        ),
      ),
      400,
    );
    await expectError(await fetch(url('/services.xml')), 404);
    await expectError(await fetch(url('/requests/eng-cr-none.json')), 404);
    await expectError(await fetch(url('/nothing.json')), 404);
    // Nothing of the refused posts was filed.
    const after = await tagReports();
    expect(after).toEqual(before);
  });
}
