/** Economy's models, bound to the subgraph's own connection. */
import type { Connection } from 'mongoose';
import { createSharedModels } from '../../../../lib/subgraph-kit/models/createSharedModels.js';
import { businessSchema, type BusinessDoc } from './Business.js';
import { innovationHubSchema, type InnovationHubDoc } from './InnovationHub.js';
import { investmentSchema, type InvestmentDoc } from './Investment.js';
import {
  marketIndicatorSchema,
  type MarketIndicatorDoc,
  type SectorFlowDoc,
} from './MarketIndicator.js';
import { startupSchema, type StartupDoc } from './Startup.js';

/** Compiles the models on `connection` (once per connection). */
export function createModels(connection: Connection) {
  return {
    ...createSharedModels(connection),
    Business: connection.model<BusinessDoc>('Business', businessSchema),
    Startup: connection.model<StartupDoc>('Startup', startupSchema),
    InnovationHub: connection.model<InnovationHubDoc>(
      'InnovationHub',
      innovationHubSchema,
    ),
    Investment: connection.model<InvestmentDoc>('Investment', investmentSchema),
    MarketIndicator: connection.model<MarketIndicatorDoc>(
      'MarketIndicator',
      marketIndicatorSchema,
    ),
  };
}

export type {
  BusinessDoc,
  InnovationHubDoc,
  InvestmentDoc,
  MarketIndicatorDoc,
  SectorFlowDoc,
  StartupDoc,
};

/** Every economy model. */
export type EconomyModels = ReturnType<typeof createModels>;
