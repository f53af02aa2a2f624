/** Engagement's root queries. */
import type { SocialTopicsArgs } from '../queries/socialTopics.js';
import { dataQualityQuery } from '../../../../lib/subgraph-kit/dataQualityResolvers.js';
import { quarantineQuery } from '../../../../lib/subgraph-kit/quarantineResolvers.js';
import { districtFilter } from '../../../../lib/subgraph-kit/districts.js';
import { BadUserInputError } from '../../../../lib/runtime/errors.js';
import {
  type PageArgs,
  type TimeRange,
} from '../../../../lib/subgraph-kit/pagination.js';
import type { EngagementContext } from '../context.js';
import type { QueryCitizenReportsArgs } from '../__generated__/resolvers-types.js';
import type { WorkshopDoc } from '../models/index.js';
import { statusFilter } from './CitizenReport.js';
import { findServiceType, SERVICE_TYPES } from '../serviceTypes.js';
import { digitalDivideRanking } from './DigitalInclusion.js';

type DistrictArgs = PageArgs & {
  district?: string | null;
  range?: TimeRange | null;
};

export const Query = {
  socialTopics: (_: unknown, args: SocialTopicsArgs, ctx: EngagementContext) =>
    ctx.queries.socialTopics(args),
  engagementDataQuality: (
    _: unknown,
    args: Parameters<typeof dataQualityQuery>[0],
    ctx: EngagementContext,
  ) => dataQualityQuery(args, ctx.queries),
  engagementQuarantine: (
    _: unknown,
    args: Parameters<typeof quarantineQuery>[0],
    ctx: EngagementContext,
  ) => quarantineQuery(args, ctx.queries),
  workshops: (
    _: unknown,
    args: DistrictArgs & { topic?: WorkshopDoc['topic'] | null },
    ctx: EngagementContext,
  ) =>
    ctx.queries.workshops(
      {
        ...districtFilter(args.district),
        ...(args.topic ? { topic: args.topic } : {}),
      },
      args,
    ),
  workshop: (_: unknown, args: { id: string }, ctx: EngagementContext) =>
    ctx.loaders.workshopById.load(args.id),
  trainingPrograms: (_: unknown, __: unknown, ctx: EngagementContext) =>
    ctx.queries.trainingPrograms(),
  trainingProgram: (_: unknown, args: { id: string }, ctx: EngagementContext) =>
    ctx.loaders.trainingProgramById.load(args.id),
  serviceTypes: () => [...SERVICE_TYPES],
  citizenReports: (
    _: unknown,
    args: Partial<QueryCitizenReportsArgs>,
    ctx: EngagementContext,
  ) => {
    if (args.serviceCode && !findServiceType(args.serviceCode)) {
      throw new BadUserInputError(
        `Unknown serviceCode "${args.serviceCode}": see Query.serviceTypes.`,
        { argumentName: 'serviceCode' },
      );
    }
    return ctx.queries.citizenReports(
      {
        ...districtFilter(args.district),
        ...statusFilter(args.status),
        ...(args.serviceCode ? { serviceCode: args.serviceCode } : {}),
      },
      args,
    );
  },
  citizenReport: (_: unknown, args: { id: string }, ctx: EngagementContext) =>
    ctx.loaders.citizenReportById.load(args.id),
  surveys: (
    _: unknown,
    args: DistrictArgs & { status?: 'OPEN' | 'CLOSED' | null },
    ctx: EngagementContext,
  ) => {
    const now = ctx.now();
    const status =
      args.status === 'OPEN'
        ? { opensAt: { $lte: now }, closesAt: { $gt: now } }
        : args.status === 'CLOSED'
          ? { $or: [{ opensAt: { $gt: now } }, { closesAt: { $lte: now } }] }
          : {};
    return ctx.queries.surveys(
      { ...districtFilter(args.district), ...status },
      args,
    );
  },
  survey: (_: unknown, args: { id: string }, ctx: EngagementContext) =>
    ctx.loaders.surveyById.load(args.id),
  digitalInclusionIndicators: (
    _: unknown,
    args: DistrictArgs,
    ctx: EngagementContext,
  ) =>
    ctx.queries.digitalInclusionIndicators(
      {
        ...districtFilter(args.district),
      },
      args,
    ),
  digitalDivideRanking,
};
