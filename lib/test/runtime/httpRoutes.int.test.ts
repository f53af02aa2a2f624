/**
 * Routes beside /graphql on the shared HTTP front: the first matching route
 * answers, a refusal it throws is answered and reported like any other, and
 * /graphql is untouched.
 */
import { ApolloServer } from '@apollo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createHttpService,
  HttpError,
  readBody,
  type HttpService,
  type RefusedRequest,
} from '../../runtime/http.js';
import { createSilentLogger } from '../../runtime/logger.js';

describe('http routes', () => {
  let service: HttpService;
  let base: string;
  const refusals: RefusedRequest[] = [];

  beforeAll(async () => {
    const apollo = new ApolloServer({
      typeDefs: /* GraphQL */ `
        type Query {
          hello: String
        }
      `,
      resolvers: { Query: { hello: () => 'bonjour' } },
    });
    service = createHttpService({
      apollo,
      logger: createSilentLogger(),
      context: async () => ({}),
      ready: async () => ({ ok: true }),
      onRefused: (refusal) => refusals.push(refusal),
      routes: [
        {
          matches: (req, url) =>
            req.method === 'POST' && url.pathname === '/echo',
          handle: async (req, res, { requestId }) => {
            const body = await readBody(req, 16);
            res.statusCode = 201;
            res.end(JSON.stringify({ body, requestId }));
          },
        },
        {
          matches: (_req, url) => url.pathname.startsWith('/echo'),
          handle: () => {
            throw new HttpError(405, 'Use POST.', 'METHOD_NOT_ALLOWED');
          },
        },
      ],
    });
    base = await service.listen(0, '127.0.0.1');
  });
  afterAll(() => service.stop());

  it('lets the first matching route answer, with the request id', async () => {
    const response = await fetch(`${base}/echo`, {
      method: 'POST',
      body: 'salut',
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { body: string; requestId: string };
    expect(body.body).toBe('salut');
    expect(body.requestId).toBe(response.headers.get('x-request-id'));
  });

  it('answers and reports a refusal the route throws', async () => {
    const response = await fetch(`${base}/echo`);
    expect(response.status).toBe(405);
    const body = (await response.json()) as {
      errors: { extensions: { code: string } }[];
    };
    expect(body.errors[0]?.extensions.code).toBe('METHOD_NOT_ALLOWED');
    expect(refusals.at(-1)).toMatchObject({
      status: 405,
      code: 'METHOD_NOT_ALLOWED',
    });
  });

  it('refuses a body over the route’s limit with 413', async () => {
    const response = await fetch(`${base}/echo`, {
      method: 'POST',
      body: 'x'.repeat(17),
    });
    expect(response.status).toBe(413);
  });

  it('still serves /graphql', async () => {
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ hello }' }),
    });
    expect(await response.json()).toEqual({ data: { hello: 'bonjour' } });
  });
});
