/**
 * Internal to the gateway: limits checked on the raw request, before
 * GraphQL parses or validates anything, so an oversized or pathological
 * request costs a length check and a lexer pass, not a parse (issue 9,
 * finding 5): document size, lexical tokens, and the number, size and depth
 * of variables. Refusals are HTTP 400 (413 for the document size) with code
 * OPERATION_LIMIT_EXCEEDED and `limit` naming the limit (docs/errors.md).
 */
import { Lexer, Source, TokenKind } from 'graphql';
import { ErrorCode } from '../../lib/runtime/errors.js';
import {
  HttpError,
  type IncomingGraphQLRequest,
} from '../../lib/runtime/http.js';

/** The limits, documented in docs/errors.md. */
export const REQUEST_LIMITS = {
  /** Bytes of the GraphQL document (the introspection query is about 3 KB). */
  maxDocumentBytes: 16_384,
  /** Lexical tokens of the document (introspection needs about 1,000). */
  maxTokens: 5_000,
  /** Variables of one request. */
  maxVariables: 50,
  /** Nesting of objects and lists in the variables (the deepest input is 4). */
  maxVariableDepth: 8,
  /** Values (scalars, objects, lists) in all variables together. */
  maxVariableValues: 2_000,
} as const;

/** The name of the limit in `extensions.limit`. */
export type RequestLimit =
  'documentBytes' | 'tokens' | 'variables' | 'variableDepth' | 'variableValues';

function refuse(limit: RequestLimit, message: string, status = 400): never {
  throw new HttpError(
    status,
    message,
    ErrorCode.OPERATION_LIMIT_EXCEEDED,
    {},
    {
      limit,
    },
  );
}

/** The operation text and variables of a POST body or GET query string. */
function operationOf(request: IncomingGraphQLRequest): {
  query: unknown;
  variables: unknown;
} {
  if (request.body !== undefined) {
    // Batches (arrays) are refused by Apollo Server itself.
    if (typeof request.body !== 'object' || request.body === null)
      return { query: undefined, variables: undefined };
    const body = request.body as Record<string, unknown>;
    return { query: body['query'], variables: body['variables'] };
  }
  const params = new URLSearchParams(request.search);
  const variables = params.get('variables');
  let parsed: unknown;
  try {
    parsed =
      variables === null ? undefined : (JSON.parse(variables) as unknown);
  } catch {
    parsed = undefined; // Apollo Server answers the malformed JSON itself.
  }
  return { query: params.get('query') ?? undefined, variables: parsed };
}

/** Counts the document's tokens, stopping one past `max`; a lexing error stops the count (the parser reports it). */
function countTokens(query: string, max: number): number {
  const lexer = new Lexer(new Source(query));
  let count = 0;
  try {
    while (count <= max && lexer.advance().kind !== TokenKind.EOF) count += 1;
  } catch {
    // A syntax error: GRAPHQL_PARSE_FAILED from the parser.
  }
  return count;
}

/** Walks the variables without recursion (a 60,000-deep value must not overflow the stack). */
function checkVariables(variables: unknown): void {
  if (variables === undefined || variables === null) return;
  if (typeof variables !== 'object' || Array.isArray(variables)) return;
  const names = Object.keys(variables);
  if (names.length > REQUEST_LIMITS.maxVariables)
    refuse(
      'variables',
      `Too many variables: ${names.length}, at most ${REQUEST_LIMITS.maxVariables}.`,
    );
  const stack: { value: unknown; depth: number }[] = names.map((name) => ({
    value: (variables as Record<string, unknown>)[name],
    depth: 1,
  }));
  let values = 0;
  while (stack.length > 0) {
    const { value, depth } = stack.pop() as { value: unknown; depth: number };
    values += 1;
    if (values > REQUEST_LIMITS.maxVariableValues)
      refuse(
        'variableValues',
        `Variables too large: more than ${REQUEST_LIMITS.maxVariableValues} values.`,
      );
    if (typeof value !== 'object' || value === null) continue;
    if (depth > REQUEST_LIMITS.maxVariableDepth)
      refuse(
        'variableDepth',
        `Variables nested too deep: more than ${REQUEST_LIMITS.maxVariableDepth} levels.`,
      );
    const children = Array.isArray(value) ? value : Object.values(value);
    for (const child of children)
      stack.push({ value: child, depth: depth + 1 });
  }
}

/**
 * Refuses a request over {@link REQUEST_LIMITS} before it is parsed.
 * @throws HttpError 413 or 400 with code OPERATION_LIMIT_EXCEEDED.
 */
export function checkRequestLimits(request: IncomingGraphQLRequest): void {
  const { query, variables } = operationOf(request);
  if (typeof query === 'string') {
    const bytes = Buffer.byteLength(query, 'utf8');
    if (bytes > REQUEST_LIMITS.maxDocumentBytes)
      refuse(
        'documentBytes',
        `GraphQL document too large: ${bytes} bytes, at most ${REQUEST_LIMITS.maxDocumentBytes}.`,
        413,
      );
    if (countTokens(query, REQUEST_LIMITS.maxTokens) > REQUEST_LIMITS.maxTokens)
      refuse(
        'tokens',
        `GraphQL document has more than ${REQUEST_LIMITS.maxTokens} tokens.`,
      );
  }
  checkVariables(variables);
}
