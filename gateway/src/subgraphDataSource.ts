/**
 * How the gateway calls a subgraph: the caller's identity goes in a
 * short-lived token the gateway signs with its own key (never the caller's
 * token), with the request id; subgraphs refuse anything else.
 */
import type { KeyObject } from 'node:crypto';
import {
  RemoteGraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
} from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import type { Logger } from '../../lib/runtime/logger.js';
import {
  GATEWAY_TOKEN_HEADER,
  signGatewayToken,
} from '../../lib/runtime/gatewayToken.js';
import { REQUEST_ID_HEADER } from '../../lib/runtime/http.js';
import type { GatewayContext } from './context.js';

/** Options of {@link CityGraphDataSource}. */
export interface CityGraphDataSourceOptions {
  name: string;
  url: string;
  signingKey: KeyObject;
  /** Lifetime of each gateway token (`config.gatewayToken.ttlSeconds`). */
  tokenTtlSeconds: number;
  logger: Logger;
}

// One token per request and subgraph (its audience is that subgraph), shared
// by the request's fetches to it.
const tokens = new WeakMap<GatewayContext, Map<string, Promise<string>>>();

/** The data source of one subgraph. */
export class CityGraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly serviceName: string;
  private readonly signingKey: KeyObject;
  private readonly tokenTtlSeconds: number;
  private readonly logger: Logger;

  constructor(options: CityGraphDataSourceOptions) {
    super({ url: options.url });
    this.serviceName = options.name;
    this.signingKey = options.signingKey;
    this.tokenTtlSeconds = options.tokenTtlSeconds;
    this.logger = options.logger;
  }

  /**
   * A subgraph that cannot be reached (connection refused, reset, timeout)
   * costs its own fields only: @apollo/gateway would surface the raw network
   * error, which Apollo Server masks as an anonymous INTERNAL_SERVER_ERROR;
   * this names the service instead, without its internal address.
   */
  override async process(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
  ): ReturnType<RemoteGraphQLDataSource<GatewayContext>['process']> {
    try {
      return await super.process(options);
    } catch (error) {
      if (error instanceof GraphQLError) throw error;
      this.logger.warn(
        {
          serviceName: this.serviceName,
          reason: error instanceof Error ? error.message : String(error),
        },
        'subgraph unreachable',
      );
      throw new GraphQLError(
        `The ${this.serviceName} service is unavailable: its fields are null in this response.`,
        {
          extensions: {
            code: 'DOWNSTREAM_SERVICE_ERROR',
            serviceName: this.serviceName,
          },
        },
      );
    }
  }

  override async willSendRequest(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
  ): Promise<void> {
    const { request } = options;
    // Health checks and other gateway-internal fetches carry no request context.
    if (!('context' in options) || !('viewer' in options.context)) return;
    const context = options.context as GatewayContext;
    let forRequest = tokens.get(context);
    if (!forRequest) {
      forRequest = new Map();
      tokens.set(context, forRequest);
    }
    let token = forRequest.get(this.serviceName);
    if (!token) {
      token = signGatewayToken(this.signingKey, {
        viewer: context.viewer,
        requestId: context.requestId,
        ttlSeconds: this.tokenTtlSeconds,
        subgraph: this.serviceName,
      });
      forRequest.set(this.serviceName, token);
    }
    request.http?.headers.set(GATEWAY_TOKEN_HEADER, await token);
    request.http?.headers.set(REQUEST_ID_HEADER, context.requestId);
    context.subgraphsCalled.add(this.serviceName);
  }
}
