/**
 * The gateway's response cache (docs/performance.md, "Response cache";
 * configuration in docs/operations.md): answers of queries kept for the
 * time the departments' `@cacheControl` hints allow, shared by every
 * replica through Redis (or kept in the process), dropped as soon as an
 * entity they contain changes.
 *
 * - **What is cached**: queries sent over HTTP whose maxAge
 *   (gateway/src/responseCache/operationCachePolicy.ts) is above 0, answered
 *   without any error. Never mutations or subscriptions, never an
 *   operation the gateway runs itself (subscription deliveries, Open311).
 * - **Key**: the supergraph, the normalized operation (its printed document
 *   and operation name) and the variables (keys sorted). An operation that
 *   touches a field an access rule protects, or one with a PRIVATE hint,
 *   also carries the caller's access in its key: subject, scopes, policies
 *   and declared purpose (`x-data-purpose`), the same class that may share
 *   an in-flight subgraph fetch. A public operation whose subgraphs
 *   nevertheless reported an access decision (a document rule) is not
 *   stored.
 * - **Entities**: the data sources ask the subgraphs for the type and key of
 *   every entity in the answer (gateway/src/responseCache/entityTags.ts);
 *   the entry is tagged with them, and dropped when one is invalidated (a
 *   mutation's answer, an ingested reading, a department's event:
 *   gateway/src/responseCache/cacheInvalidation.ts).
 * - **Audit**: a cached answer goes through the same audit plugin as any
 *   other. For a protected operation the entry keeps what the subgraphs
 *   reported enforcing when it was computed (decisions, protected records
 *   served) and the hit replays it, so its event records the same fields,
 *   decisions and records, with no subgraph called; it is still written
 *   before the answer leaves (fail closed).
 * - **Headers**: `x-cache: HIT | MISS | PASS` (PASS: not cacheable) and
 *   `cache-control` (Apollo's cache-control plugin writes it from the policy
 *   set here: `max-age=<seconds left>, public | private`, else `no-store`).
 */
import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, print, type DocumentNode, type GraphQLSchema } from 'graphql';
import {
  readAccessRules,
  type AccessRule,
} from '../../../lib/records/access/index.js';
import { describeError } from '../../../lib/runtime/errors.js';
import type { Logger } from '../../../lib/runtime/logger.js';
import { counter } from '../../../lib/runtime/metrics.js';
import type { Viewer } from '../../../lib/runtime/viewer.js';
import type { GatewayContext } from '../context.js';
import { cachedOperationSignature } from '../operationSignature.js';
import type { CacheModel } from '../responseCache/cacheModel.js';
import {
  operationCachePolicy,
  type OperationCachePolicy,
} from '../responseCache/operationCachePolicy.js';
import type { ResponseCacheStore } from '../responseCache/responseCacheStore.js';
import { concreteCoordinates } from '../concreteCoordinates.js';

const hits = counter(
  'gateway_response_cache_hits_total',
  'Queries answered from the response cache.',
  [],
);
const misses = counter(
  'gateway_response_cache_misses_total',
  'Cacheable queries not found in the response cache (answered by the subgraphs).',
  [],
);
const passes = counter(
  'gateway_response_cache_passes_total',
  'Operations the response cache does not keep, by reason (not_cacheable: maxAge 0; mutation; errors; access: a subgraph evaluated an access rule for a public operation; unavailable: the store did not answer).',
  ['reason'],
);
const stores = counter(
  'gateway_response_cache_stores_total',
  'Answers written to the response cache, by outcome (stored; refused: an entity it contains was invalidated while it was computed, or the store did not answer).',
  ['outcome'],
);

/** Options of {@link responseCachePlugin}. */
export interface ResponseCachePluginOptions {
  readonly store: ResponseCacheStore;
  /** The cache model of the supergraph now (hints, entity keys). */
  readonly model: () => CacheModel;
  /** The supergraph now (its access rules decide which keys carry the caller's access). */
  readonly getSupergraphSdl: () => string;
  /** Invalidates the entities a mutation answered (before the answer leaves). */
  readonly invalidate: (entities: readonly string[]) => Promise<void>;
  readonly logger: Logger;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

/** What is known of an operation, once per document. */
interface Analysis {
  readonly policy: OperationCachePolicy;
  /** Touches a protected field (or its rules could not be read). */
  readonly protected: boolean;
  /** sha256 of the printed operation and its fragments. */
  readonly document: string;
}

const ANALYSIS_LIMIT = 2000;

/** The caller's access, as far as a subgraph's rules can see it. */
function accessKey(viewer: Viewer): unknown[] {
  return [
    viewer.subject,
    [...viewer.scopes].sort(),
    [...viewer.policies].sort(),
    viewer.purpose ?? null,
  ];
}

/** JSON with object keys sorted, so `{a, b}` and `{b, a}` are one key. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
            a < b ? -1 : a > b ? 1 : 0,
          ),
        )
      : v,
  );
}

/** The response cache plugin (see the module comment). */
export function responseCachePlugin(
  options: ResponseCachePluginOptions,
): ApolloServerPlugin<GatewayContext> {
  const { store, logger } = options;
  const now = options.now ?? Date.now;

  let rulesFor: { sdl: string; rules: Map<string, AccessRule> | null } | null =
    null;
  const currentRules = () => {
    const sdl = options.getSupergraphSdl();
    if (rulesFor?.sdl !== sdl) {
      let rules: Map<string, AccessRule> | null = null;
      try {
        rules = new Map(readAccessRules(sdl).byCoordinate);
      } catch (error) {
        logger.error(
          { err: describeError(error) },
          'response cache: access rules of the supergraph could not be read; every operation is keyed by the caller',
        );
      }
      rulesFor = { sdl, rules };
    }
    return rulesFor.rules;
  };

  const analyses = new WeakMap<
    GraphQLSchema,
    WeakMap<CacheModel, Map<string, Analysis>>
  >();
  const analyse = (
    schema: GraphQLSchema,
    document: DocumentNode,
    operationName: string | null,
    queryHash: string,
    model: CacheModel,
  ): Analysis => {
    let perSchema = analyses.get(schema);
    if (!perSchema) analyses.set(schema, (perSchema = new WeakMap()));
    let perModel = perSchema.get(model);
    if (!perModel) perSchema.set(model, (perModel = new Map()));
    const key = `${queryHash}:${operationName ?? ''}`;
    const known = perModel.get(key);
    if (known) return known;
    const policy = operationCachePolicy(schema, document, operationName, model);
    const rules = currentRules();
    const { coordinates } = cachedOperationSignature(
      schema,
      document,
      operationName,
      queryHash,
    );
    const isProtected =
      rules === null ||
      coordinates.some((coordinate) =>
        concreteCoordinates(schema, coordinate).some((concrete) => {
          const rule = rules.get(concrete);
          return rule !== undefined && !rule.public;
        }),
      );
    const printed = document.definitions
      .filter(
        (d) =>
          d.kind === Kind.FRAGMENT_DEFINITION ||
          (d.kind === Kind.OPERATION_DEFINITION &&
            (operationName === null || d.name?.value === operationName)),
      )
      .map((d) => print(d))
      .join('\n');
    const analysis: Analysis = {
      policy,
      protected: isProtected,
      document: createHash('sha256').update(printed).digest('hex'),
    };
    if (perModel.size >= ANALYSIS_LIMIT) perModel.clear();
    perModel.set(key, analysis);
    return analysis;
  };

  return {
    async requestDidStart(startContext) {
      const cacheState = startContext.contextValue.responseCache;
      // Operations the gateway runs itself (subscription deliveries must
      // show the change their event announced) never use the cache.
      if (!cacheState?.eligible) return;

      let key: string | null = null;
      let sequence: number | null = null;
      let analysis: Analysis | null = null;
      let mutation = false;
      let result: 'HIT' | 'MISS' | 'PASS' = 'PASS';
      let passReason = 'not_cacheable';

      return {
        async didResolveOperation(requestContext) {
          const { operation, schema, document, queryHash, contextValue } =
            requestContext;
          if (!operation) return;
          if (operation.operation === 'mutation') {
            mutation = true;
            passReason = 'mutation';
            // Its answer names what it changed: those entities are dropped.
            cacheState.entities = new Set();
            return;
          }
          if (operation.operation !== 'query') return;
          const model = options.model();
          const operationName = requestContext.operationName ?? null;
          try {
            analysis = analyse(
              schema,
              document,
              operationName,
              queryHash,
              model,
            );
          } catch (error) {
            contextValue.logger.warn(
              { err: describeError(error) },
              'response cache: operation not analysed; not cached',
            );
            return;
          }
          if (analysis.policy.maxAge <= 0) return;
          const byCaller =
            analysis.protected || analysis.policy.scope === 'PRIVATE';
          key = createHash('sha256')
            .update(
              canonical([
                model.id,
                analysis.document,
                operationName,
                requestContext.request.variables ?? {},
                byCaller ? accessKey(contextValue.viewer) : null,
              ]),
            )
            .digest('base64url');
        },

        async responseForOperation(requestContext) {
          if (key === null || analysis === null) return null;
          const { contextValue } = requestContext;
          const found = await store.lookup(key);
          sequence = found.sequence;
          const answer = found.answer;
          const byCaller =
            analysis.protected || analysis.policy.scope === 'PRIVATE';
          const scope = byCaller ? 'PRIVATE' : 'PUBLIC';
          if (answer) {
            const ageMs = Math.max(0, now() - answer.storedAt);
            const left = Math.floor((answer.maxAge * 1000 - ageMs) / 1000);
            if (left > 0) {
              result = 'HIT';
              cacheState.hit = true;
              hits.inc();
              // The audit event records what was enforced when it was computed.
              contextValue.enforcement.push(
                ...answer.enforcement.map((e) => ({ ...e })),
              );
              requestContext.overallCachePolicy.replace({
                maxAge: left,
                scope,
              });
              requestContext.response.http.headers.set(
                'age',
                String(Math.floor(ageMs / 1000)),
              );
              return {
                http: requestContext.response.http,
                body: {
                  kind: 'single',
                  singleResult: { data: answer.data },
                },
              };
            }
          }
          if (sequence === null) {
            passReason = 'unavailable';
            return null;
          }
          result = 'MISS';
          misses.inc();
          requestContext.overallCachePolicy.replace({
            maxAge: analysis.policy.maxAge,
            scope,
          });
          cacheState.entities = new Set();
          cacheState.sequence = sequence;
          return null;
        },

        async willSendResponse(requestContext) {
          const { response, contextValue } = requestContext;
          const entities = cacheState.entities;
          response.http.headers.set('x-cache', result);
          if (result === 'PASS') passes.inc({ reason: passReason });
          const single =
            response.body.kind === 'single' ? response.body.singleResult : null;
          if (mutation) {
            if (entities && entities.size > 0) {
              try {
                await options.invalidate([...entities]);
              } catch (error) {
                contextValue.logger.error(
                  { err: describeError(error) },
                  'response cache: entities of a mutation not invalidated',
                );
              }
            }
            return;
          }
          if (
            result !== 'MISS' ||
            key === null ||
            analysis === null ||
            sequence === null ||
            entities === null
          )
            return;
          if (
            !single ||
            (single.errors !== undefined && single.errors.length > 0) ||
            !single.data ||
            (response.http.status !== undefined && response.http.status !== 200)
          ) {
            passes.inc({ reason: 'errors' });
            return;
          }
          const byCaller =
            analysis.protected || analysis.policy.scope === 'PRIVATE';
          const evaluated = contextValue.enforcement.some(
            ({ report }) =>
              report.decisions.length > 0 || report.records.length > 0,
          );
          if (!byCaller && evaluated) {
            passes.inc({ reason: 'access' });
            return;
          }
          // The answer does not wait for the write.
          void store
            .store(
              key,
              {
                data: single.data,
                enforcement: byCaller ? contextValue.enforcement : [],
                storedAt: now(),
                maxAge: analysis.policy.maxAge,
              },
              [...entities],
              analysis.policy.maxAge * 1000,
              sequence,
            )
            .then((stored) =>
              stores.inc({ outcome: stored ? 'stored' : 'refused' }),
            );
        },
      };
    },
  };
}
