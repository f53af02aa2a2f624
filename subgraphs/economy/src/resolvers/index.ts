/** Economy's resolver map: one file per GraphQL type. */
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { DateTimeScalar } from '../../../../lib/subgraph-kit/scalars.js';
import { recordSourceResolvers } from '../../../../lib/subgraph-kit/provenance.js';
import { Business } from './Business.js';
import { District } from './District.js';
import { InnovationHub } from './InnovationHub.js';
import { MarketIndicator, SectorFlow } from './MarketIndicator.js';
import { Mutation } from './Mutation.js';
import { Query } from './Query.js';
import { Investment } from './Investment.js';
import { Startup } from './Startup.js';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  District,
  Business,
  Startup,
  Investment,
  InnovationHub,
  MarketIndicator,
  SectorFlow,
  RecordSource: recordSourceResolvers,
};
