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
import {
  GATEWAY_TOKEN_HEADER,
  signGatewayToken,
} from '../../lib/gatewayToken.js';
import { REQUEST_ID_HEADER } from '../../lib/http.js';
import type { GatewayContext } from './context.js';

/** Options of {@link CityGraphDataSource}. */
export interface CityGraphDataSourceOptions {
  name: string;
  url: string;
  signingKey: KeyObject;
  /** Lifetime of each gateway token (`config.gatewayToken.ttlSeconds`). */
  tokenTtlSeconds: number;
}

// One token per request, shared by all its subgraph fetches.
const tokens = new WeakMap<GatewayContext, Promise<string>>();

/** The data source of one subgraph. */
export class CityGraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly serviceName: string;
  private readonly signingKey: KeyObject;
  private readonly tokenTtlSeconds: number;

  constructor(options: CityGraphDataSourceOptions) {
    super({ url: options.url });
    this.serviceName = options.name;
    this.signingKey = options.signingKey;
    this.tokenTtlSeconds = options.tokenTtlSeconds;
  }

  override async willSendRequest(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
  ): Promise<void> {
    const { request } = options;
    // Health checks and other gateway-internal fetches carry no request context.
    if (!('context' in options) || !('viewer' in options.context)) return;
    const context = options.context as GatewayContext;
    let token = tokens.get(context);
    if (!token) {
      token = signGatewayToken(this.signingKey, {
        viewer: context.viewer,
        requestId: context.requestId,
        ttlSeconds: this.tokenTtlSeconds,
      });
      tokens.set(context, token);
    }
    request.http?.headers.set(GATEWAY_TOKEN_HEADER, await token);
    request.http?.headers.set(REQUEST_ID_HEADER, context.requestId);
    context.subgraphsCalled.add(this.serviceName);
  }
}
