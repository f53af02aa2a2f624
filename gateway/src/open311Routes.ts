/**
 * Open311 GeoReport v2 on the gateway's host (docs/open311.md): the facade
 * the city's existing apps and third-party reporting apps speak, mapped onto
 * the engagement department's own queries and mutation.
 *
 * - `GET  /open311/v2/services.json`: `Query.serviceTypes`;
 * - `GET  /open311/v2/requests.json`: `Query.citizenReports` (filters
 *   `service_request_id`, `service_code`, `status`, `start_date`,
 *   `end_date`), or `Query.citizenReport` per listed id;
 * - `GET  /open311/v2/requests/{id}.json`: `Query.citizenReport`;
 * - `POST /open311/v2/requests.json` (form-encoded as the spec says, or JSON):
 *   `Mutation.submitCitizenReport`.
 *
 * Every call is a GraphQL operation run through the gateway's own pipeline
 * (`executeOperation` with the caller's viewer), so the access rules,
 * operation limits and the audit trail apply exactly as on /graphql: the
 * facade adds no rule of its own and can read nothing the caller could not.
 * Errors are Open311's `[{ code, description }]` with the HTTP status the
 * spec names (400 bad request, 403 missing or invalid key, 404 not found).
 * Spec: https://wiki.open311.org/GeoReport_v2 (GeoReport v2, frozen; a
 * summary with its source in lib/subgraph-kit/data/marseille/open311_georeport_v2.json).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import type { CallerAuthenticator } from '../../lib/gateway/createCallerAuthenticator.js';
import { UnauthenticatedError } from '../../lib/runtime/errors.js';
import { HttpError, readBody, type HttpRoute } from '../../lib/runtime/http.js';
import type { Logger } from '../../lib/runtime/logger.js';
import type { Viewer } from '../../lib/runtime/viewer.js';
import {
  CLIENT_NAME_HEADER,
  CLIENT_VERSION_HEADER,
  newGatewayContext,
  requestHeader,
  type GatewayContext,
} from './context.js';

/** Where the facade lives. */
export const OPEN311_BASE_PATH = '/open311/v2';

/** The one jurisdiction this endpoint serves (`jurisdiction_id`, optional). */
export const OPEN311_JURISDICTION = 'marseille.fr';

/** Requests per `GET /requests` answer, by default and at most (the common `page_size` extension). */
export const OPEN311_PAGE_SIZE = { default: 50, max: 200 } as const;

/** The longest `start_date`..`end_date` range (the spec's 90 days), also the default. */
const MAX_RANGE_MS = 90 * 24 * 3600 * 1000;

/** Ids listed in one `service_request_id` filter, at most. */
const MAX_IDS = 50;

/** Largest POST body (the spec's 4,000-character description and the rest). */
const MAX_BODY_BYTES = 16 * 1024;

/** Options of {@link createOpen311Routes}. */
export interface Open311RoutesOptions {
  readonly apollo: () => ApolloServer<GatewayContext>;
  readonly authenticate: CallerAuthenticator;
  readonly logger: Logger;
}

/** An Open311 error answer. */
class Open311Error extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 413 | 415 | 503,
    message: string,
  ) {
    super(message);
    this.name = 'Open311Error';
  }
}

const REQUEST_FIELDS = /* GraphQL */ `
  fragment Open311Request on CitizenReport {
    id
    status
    statusNotes
    serviceName
    serviceCode
    description
    agencyResponsible
    requestedDatetime
    updatedDatetime
    address
    location {
      lat
      lon
    }
  }
`;

interface ReportFields {
  id: string;
  status: 'OPEN' | 'CLOSED';
  statusNotes: string | null;
  serviceName: string;
  serviceCode: string;
  description: string;
  agencyResponsible: string;
  requestedDatetime: string;
  updatedDatetime: string;
  address: string | null;
  location: { lat: number; lon: number };
}

/** A report as GeoReport v2 names its fields. */
function toOpen311(report: ReportFields) {
  return {
    service_request_id: report.id,
    status: report.status.toLowerCase(),
    status_notes: report.statusNotes,
    service_name: report.serviceName,
    service_code: report.serviceCode,
    description: report.description,
    agency_responsible: report.agencyResponsible,
    service_notice: null,
    requested_datetime: report.requestedDatetime,
    updated_datetime: report.updatedDatetime,
    expected_datetime: null,
    address: report.address,
    address_id: null,
    zipcode: null,
    lat: report.location.lat,
    long: report.location.lon,
    media_url: null,
  };
}

/** `a,b, c` → `['a', 'b', 'c']`; empty → []. */
function list(value: string | null): string[] {
  return (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

function date(name: string, value: string | null): Date | null {
  if (value === null || value.trim() === '') return null;
  // W3C datetime with a mandatory zone, as the spec says.
  if (!/(?:Z|[+-]\d\d:?\d\d)$/.test(value.trim()))
    throw new Open311Error(
      400,
      `${name} must be a W3C datetime with a time zone, e.g. 2026-11-01T00:00:00Z.`,
    );
  const parsed = new Date(value.trim());
  if (Number.isNaN(parsed.getTime()))
    throw new Open311Error(400, `${name} is not a datetime: "${value}".`);
  return parsed;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(JSON.stringify(body));
}

/** The Open311 routes. */
export function createOpen311Routes(options: Open311RoutesOptions): HttpRoute {
  const { logger } = options;

  /** Runs one operation through the gateway's pipeline as `viewer`. */
  const run = async (
    req: IncomingMessage,
    requestId: string,
    viewer: Viewer,
    query: string,
    variables: Record<string, unknown>,
  ) => {
    const contextValue = newGatewayContext({
      viewer,
      requestId,
      logger,
      clientName: requestHeader(req, CLIENT_NAME_HEADER) ?? 'open311',
      clientVersion: requestHeader(req, CLIENT_VERSION_HEADER),
    });
    const response = await options
      .apollo()
      .executeOperation({ query, variables }, { contextValue });
    if (response.body.kind !== 'single')
      throw new Open311Error(400, 'Incremental delivery is not offered.');
    const { data, errors } = response.body.singleResult;
    return { data: data ?? null, errors: errors ?? [] };
  };

  /** The first error of a GraphQL answer as an Open311 error; null when none matters. */
  const failure = (
    errors: readonly {
      message: string;
      extensions?: Record<string, unknown>;
    }[],
  ): Open311Error | null => {
    const first = errors[0];
    if (!first) return null;
    const code = first.extensions?.['code'];
    if (code === 'BAD_USER_INPUT') return new Open311Error(400, first.message);
    if (code === 'UNAUTHENTICATED' || code === 'FORBIDDEN')
      return new Open311Error(403, first.message);
    if (code === 'NOT_FOUND') return new Open311Error(404, first.message);
    logger.warn(
      { code, err: first.message },
      'open311: the graph did not answer',
    );
    return new Open311Error(
      503,
      'The citizen-report service is unavailable; try again later.',
    );
  };

  const authenticate = async (
    req: IncomingMessage,
    apiKey: string | null,
  ): Promise<Viewer> => {
    const authorization =
      req.headers.authorization ?? (apiKey ? `Bearer ${apiKey}` : undefined);
    try {
      return await options.authenticate(authorization);
    } catch (error) {
      if (error instanceof UnauthenticatedError)
        throw new Open311Error(
          403,
          `Invalid api_key or token: ${error.message}`,
        );
      throw error;
    }
  };

  const services = async (
    req: IncomingMessage,
    requestId: string,
  ): Promise<unknown> => {
    const viewer = await authenticate(req, null);
    const { data, errors } = await run(
      req,
      requestId,
      viewer,
      'query Open311Services { serviceTypes { serviceCode serviceName description group keywords } }',
      {},
    );
    const types = (data?.['serviceTypes'] ?? null) as
      | {
          serviceCode: string;
          serviceName: string;
          description: string;
          group: string;
          keywords: string[];
        }[]
      | null;
    if (!types) throw failure(errors) ?? new Open311Error(503, 'No services.');
    return types.map((type) => ({
      service_code: type.serviceCode,
      service_name: type.serviceName,
      description: type.description,
      metadata: false,
      type: 'realtime',
      keywords: type.keywords.join(','),
      group: type.group,
    }));
  };

  const requestsById = async (
    req: IncomingMessage,
    requestId: string,
    ids: readonly string[],
  ): Promise<ReturnType<typeof toOpen311>[]> => {
    if (ids.length > MAX_IDS)
      throw new Open311Error(
        400,
        `service_request_id lists at most ${MAX_IDS} ids.`,
      );
    const viewer = await authenticate(req, null);
    const variables = Object.fromEntries(ids.map((id, i) => [`id${i}`, id]));
    const query = `query Open311RequestsById(${ids
      .map((_, i) => `$id${i}: ID!`)
      .join(', ')}) { ${ids
      .map((_, i) => `r${i}: citizenReport(id: $id${i}) { ...Open311Request }`)
      .join(' ')} } ${REQUEST_FIELDS}`;
    const { data, errors } = await run(
      req,
      requestId,
      viewer,
      query,
      variables,
    );
    if (!data) throw failure(errors) ?? new Open311Error(503, 'No answer.');
    const problem = errors.find((e) => e.extensions?.['code'] !== 'NOT_FOUND');
    if (problem) throw failure([problem]) as Open311Error;
    return ids
      .map((_, i) => data[`r${i}`] as ReportFields | null)
      .filter((report): report is ReportFields => report !== null)
      .map(toOpen311);
  };

  const requests = async (
    req: IncomingMessage,
    requestId: string,
    params: URLSearchParams,
  ): Promise<unknown> => {
    const ids = list(params.get('service_request_id'));
    // The spec: a list of ids overrides every other filter.
    if (ids.length > 0) return requestsById(req, requestId, ids);
    const statuses = list(params.get('status')).map((status) => {
      if (status !== 'open' && status !== 'closed')
        throw new Open311Error(
          400,
          `status must be open or closed (comma-separated), not "${status}".`,
        );
      return status.toUpperCase();
    });
    const codes = list(params.get('service_code'));
    if (codes.length > 20)
      throw new Open311Error(400, 'service_code lists at most 20 codes.');
    const end = date('end_date', params.get('end_date')) ?? new Date();
    const start =
      date('start_date', params.get('start_date')) ??
      new Date(end.getTime() - MAX_RANGE_MS);
    if (start > end)
      throw new Open311Error(400, 'start_date is after end_date.');
    if (end.getTime() - start.getTime() > MAX_RANGE_MS)
      throw new Open311Error(
        400,
        'start_date to end_date spans more than 90 days.',
      );
    const sizeParam = params.get('page_size');
    const size =
      sizeParam === null ? OPEN311_PAGE_SIZE.default : Number(sizeParam);
    if (!Number.isInteger(size) || size < 1 || size > OPEN311_PAGE_SIZE.max)
      throw new Open311Error(
        400,
        `page_size must be an integer from 1 to ${OPEN311_PAGE_SIZE.max}.`,
      );
    // Both statuses are no status filter. One operation per (status, code)
    // pair otherwise, run side by side: each stays within the operation
    // limits a client's own query would meet.
    const wanted = new Set(statuses);
    const statusFilters =
      wanted.size === 1 ? [...wanted] : ([null] as (string | null)[]);
    const pairs: { status: string | null; code: string | null }[] = [];
    for (const status of statusFilters)
      for (const code of codes.length > 0 ? [...new Set(codes)] : [null])
        pairs.push({ status, code });
    const viewer = await authenticate(req, null);
    const pages = await Promise.all(
      pairs.map(async (pair) => {
        const { data, errors } = await run(
          req,
          requestId,
          viewer,
          `query Open311Requests($range: TimeRangeInput, $first: Int, $status: CitizenReportStatus, $code: String) {
            citizenReports(range: $range, first: $first, status: $status, serviceCode: $code) { nodes { ...Open311Request } }
          } ${REQUEST_FIELDS}`,
          {
            range: { from: start.toISOString(), to: end.toISOString() },
            first: size,
            status: pair.status,
            code: pair.code,
          },
        );
        if (!data || errors.length > 0)
          throw failure(errors) ?? new Open311Error(503, 'No answer.');
        return (
          (data['citizenReports'] as { nodes: ReportFields[] } | null)?.nodes ??
          []
        );
      }),
    );
    const reports = pages.flat();
    // Newest first, as each page is.
    reports.sort((a, b) =>
      b.requestedDatetime.localeCompare(a.requestedDatetime),
    );
    return reports.slice(0, size).map(toOpen311);
  };

  const post = async (
    req: IncomingMessage,
    requestId: string,
  ): Promise<unknown> => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim();
    let raw: string;
    try {
      raw = await readBody(req, MAX_BODY_BYTES);
    } catch (error) {
      if (error instanceof HttpError)
        throw new Open311Error(413, error.message);
      throw error;
    }
    let form: URLSearchParams;
    if (type === 'application/x-www-form-urlencoded') {
      form = new URLSearchParams(raw);
    } else if (type === 'application/json') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        throw new Open311Error(400, 'The body is not valid JSON.');
      }
      if (
        typeof parsed !== 'object' ||
        parsed === null ||
        Array.isArray(parsed)
      )
        throw new Open311Error(400, 'The body must be a JSON object.');
      form = new URLSearchParams();
      for (const [key, value] of Object.entries(parsed))
        if (typeof value === 'string' || typeof value === 'number')
          form.set(key, String(value));
    } else {
      throw new Open311Error(
        415,
        'POST requests as application/x-www-form-urlencoded (the Open311 way) or application/json.',
      );
    }
    const jurisdiction = form.get('jurisdiction_id');
    if (jurisdiction !== null && jurisdiction !== OPEN311_JURISDICTION)
      throw new Open311Error(
        404,
        `jurisdiction_id "${jurisdiction}" is not served here (${OPEN311_JURISDICTION}).`,
      );
    const problems: string[] = [];
    const serviceCode = form.get('service_code')?.trim() ?? '';
    if (serviceCode === '') problems.push('service_code is required');
    const latText = form.get('lat')?.trim() ?? '';
    const lonText = form.get('long')?.trim() ?? '';
    const lat = Number(latText);
    const lon = Number(lonText);
    if (
      latText === '' ||
      lonText === '' ||
      !Number.isFinite(lat) ||
      !Number.isFinite(lon)
    )
      problems.push(
        'lat and long are required (WGS84); address_string or address_id alone cannot be located here',
      );
    const description = form.get('description') ?? '';
    if (problems.length > 0)
      throw new Open311Error(400, `${problems.join('; ')}.`);
    const viewer = await authenticate(req, form.get('api_key'));
    const name = [form.get('first_name'), form.get('last_name')]
      .map((part) => part?.trim() ?? '')
      .filter(Boolean)
      .join(' ');
    const reporter = {
      ...(name ? { name } : {}),
      ...(form.get('email') ? { email: form.get('email') } : {}),
      ...(form.get('phone') ? { phone: form.get('phone') } : {}),
    };
    const address = form.get('address_string');
    const { data, errors } = await run(
      req,
      requestId,
      viewer,
      'mutation Open311PostRequest($input: CitizenReportInput!) { submitCitizenReport(input: $input) { id } }',
      {
        input: {
          serviceCode,
          description,
          location: { lat, lon },
          ...(address ? { address } : {}),
          ...(Object.keys(reporter).length > 0 ? { reporter } : {}),
        },
      },
    );
    const created = data?.['submitCitizenReport'] as { id: string } | null;
    if (!created) throw failure(errors) ?? new Open311Error(503, 'Not filed.');
    return [
      {
        service_request_id: created.id,
        service_notice: null,
        account_id: null,
      },
    ];
  };

  return {
    matches: (_req, url) => url.pathname.startsWith(`${OPEN311_BASE_PATH}/`),
    async handle(req, res, { url, requestId }) {
      const path = url.pathname.slice(OPEN311_BASE_PATH.length);
      try {
        const jurisdiction = url.searchParams.get('jurisdiction_id');
        if (jurisdiction !== null && jurisdiction !== OPEN311_JURISDICTION)
          throw new Open311Error(
            404,
            `jurisdiction_id "${jurisdiction}" is not served here (${OPEN311_JURISDICTION}).`,
          );
        const format = /\.(json|xml)$/.exec(path)?.[1];
        if (format !== 'json')
          throw new Open311Error(
            404,
            format === 'xml'
              ? 'Only the JSON format is served: use .json.'
              : 'No such Open311 resource: services.json, requests.json, requests/{id}.json.',
          );
        const resource = path.slice(0, -'.json'.length);
        const one = /^\/requests\/([^/]+)$/.exec(resource);
        if (req.method === 'GET' && resource === '/services') {
          send(res, 200, await services(req, requestId));
        } else if (req.method === 'GET' && resource === '/requests') {
          send(res, 200, await requests(req, requestId, url.searchParams));
        } else if (req.method === 'GET' && one?.[1]) {
          const found = await requestsById(req, requestId, [
            decodeURIComponent(one[1]),
          ]);
          if (found.length === 0)
            throw new Open311Error(
              404,
              `No service request "${decodeURIComponent(one[1])}".`,
            );
          send(res, 200, found);
        } else if (req.method === 'POST' && resource === '/requests') {
          send(res, 201, await post(req, requestId));
        } else if (
          resource === '/services' ||
          resource === '/requests' ||
          one
        ) {
          res.setHeader(
            'allow',
            resource === '/requests' ? 'GET, POST' : 'GET',
          );
          throw new Open311Error(
            400,
            `${req.method ?? ''} is not served here.`,
          );
        } else {
          throw new Open311Error(
            404,
            'No such Open311 resource: services.json, requests.json, requests/{id}.json.',
          );
        }
      } catch (error) {
        if (!(error instanceof Open311Error)) {
          logger.error(
            {
              requestId,
              err: error instanceof Error ? error.message : String(error),
            },
            'open311 request failed',
          );
          send(res, 503, [
            {
              code: 503,
              description: `The request could not be answered (request id ${requestId}).`,
            },
          ]);
          return;
        }
        send(res, error.status, [
          { code: error.status, description: error.message },
        ]);
      }
    },
  };
}
