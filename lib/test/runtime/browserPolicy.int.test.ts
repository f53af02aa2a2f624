/**
 * The browser policy through the real HTTP layer: what a browser on an
 * allowed origin, on another origin, and the common clients' default
 * requests get (docs/clients.md).
 */
import { ApolloServer } from '@apollo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrowserPolicy } from '../../runtime/browserPolicy.js';
import { createHttpService, type HttpService } from '../../runtime/http.js';
import { createSilentLogger } from '../../runtime/logger.js';

const ALLOWED = 'https://portal.marseille.fr';
const OTHER = 'https://evil.example';
const QUERY = '{ hello }';

describe('browser policy', () => {
  let service: HttpService;
  let url: string;

  beforeAll(async () => {
    const apollo = new ApolloServer({
      typeDefs: /* GraphQL */ `
        type Query {
          hello: String
        }
        type Mutation {
          touch: Boolean
        }
      `,
      resolvers: { Query: { hello: () => 'bonjour' } },
      csrfPrevention: false,
    });
    service = createHttpService({
      apollo,
      logger: createSilentLogger(),
      context: async () => ({}),
      ready: async () => ({ ok: true }),
      browserPolicy: createBrowserPolicy({
        allowedOrigins: [ALLOWED],
        allowLocalhost: true,
      }),
    });
    url = `${await service.listen(0, '127.0.0.1')}/graphql`;
  });
  afterAll(() => service.stop());

  const preflight = (origin: string, headers = 'authorization,content-type') =>
    fetch(url, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': headers,
      },
    });
  const post = (headers: Record<string, string>, body = { query: QUERY }) =>
    fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });

  it('answers an allowed origin’s preflight with 204, the methods and the requested headers', async () => {
    const response = await preflight(ALLOWED);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('access-control-allow-methods')).toBe(
      'GET, POST, OPTIONS',
    );
    expect(response.headers.get('access-control-allow-headers')).toBe(
      'authorization,content-type',
    );
    expect(response.headers.get('access-control-max-age')).toBe('600');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(response.headers.get('vary')).toMatch(/Origin/);
  });

  it('serves an allowed origin’s request with its CORS headers', async () => {
    const response = await post({
      origin: ALLOWED,
      'content-type': 'application/json',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('access-control-expose-headers')).toBe(
      'x-request-id',
    );
    expect(await response.json()).toEqual({ data: { hello: 'bonjour' } });
  });

  it('allows localhost origins when configured (development)', async () => {
    const response = await preflight('http://localhost:5173');
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(
      'http://localhost:5173',
    );
  });

  it('refuses another origin’s preflight and request, with no CORS header', async () => {
    const refusedPreflight = await preflight(OTHER);
    expect(refusedPreflight.status).toBe(403);
    expect(
      refusedPreflight.headers.get('access-control-allow-origin'),
    ).toBeNull();
    const refused = await post({
      origin: OTHER,
      'content-type': 'application/json',
    });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    expect(await refused.json()).toMatchObject({
      errors: [{ extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it('accepts a same-origin request (a page the service serves itself)', async () => {
    const response = await post({
      origin: new URL(url).origin,
      'content-type': 'application/json',
    });
    expect(response.status).toBe(200);
  });

  it('serves a GET query with no content type (urql’s default) from no browser or an allowed origin', async () => {
    const search = `?query=${encodeURIComponent(QUERY)}`;
    const accept =
      'application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed';
    for (const headers of [{ accept }, { accept, origin: ALLOWED }]) {
      const response = await fetch(url + search, { headers });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ data: { hello: 'bonjour' } });
    }
  });

  it.each([
    ['text/plain', {}],
    ['application/x-www-form-urlencoded', {}],
    ['no content type', {}],
  ])(
    'refuses a POST a browser sends without a preflight (%s) as a possible CSRF',
    async (contentType) => {
      const headers: Record<string, string> =
        contentType === 'no content type'
          ? {}
          : { 'content-type': contentType };
      const response = await post(headers);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        errors: [
          {
            message: expect.stringMatching(/CSRF/),
            extensions: { code: 'BAD_REQUEST' },
          },
        ],
      });
    },
  );

  it('accepts a simple POST that carries a header only a preflight lets through', async () => {
    for (const header of ['apollo-require-preflight', 'authorization']) {
      const response = await post({
        'content-type': 'text/plain',
        [header]: 'x',
      });
      expect(response.status).toBe(200);
    }
  });
});
