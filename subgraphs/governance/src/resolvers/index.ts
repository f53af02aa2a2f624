/** Governance's resolver map: one file per GraphQL type. */
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { DateTimeScalar } from '../../../../lib/subgraph-kit/scalars.js';
import { AccessRequirement } from './AccessRule.js';
import {
  AccessDecision,
  AuditEvent,
  AuditOutcome,
  PersonalDataRead,
} from './AuditEvent.js';
import { District } from './District.js';
import { Node } from './Node.js';
import { Query } from './Query.js';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
  District,
  Node,
  AccessRequirement,
  AuditEvent,
  PersonalDataRead,
  AccessDecision,
  AuditOutcome,
};
