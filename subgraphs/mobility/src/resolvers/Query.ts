/** Mobility's root queries. */
import { dataQualityQuery } from '../../../../lib/subgraph-kit/dataQualityResolvers.js';
import { quarantineQuery } from '../../../../lib/subgraph-kit/quarantineResolvers.js';
import { districtFilter } from '../../../../lib/subgraph-kit/districts.js';
import {
  type PageArgs,
  type TimeRange,
} from '../../../../lib/subgraph-kit/pagination.js';
import type { MobilityContext } from '../context.js';
import { readingReceivedRef } from './ReadingReceived.js';
import type { TransitLineDoc } from '../models/index.js';
import {
  signalPlanRecommendations,
  type SignalPlanRecommendationsArgs,
} from './SignalPlanRecommendation.js';

type DistrictArgs = PageArgs & { district?: string | null };

export const Query = {
  mobilityDataQuality: (
    _: unknown,
    args: Parameters<typeof dataQualityQuery>[0],
    ctx: MobilityContext,
  ) => dataQualityQuery(args, ctx.queries),
  reading: (_: unknown, args: { id: string }) => readingReceivedRef(args.id),
  mobilityQuarantine: (
    _: unknown,
    args: Parameters<typeof quarantineQuery>[0],
    ctx: MobilityContext,
  ) => quarantineQuery(args, ctx.queries),
  trafficSensors: (_: unknown, args: DistrictArgs, ctx: MobilityContext) =>
    ctx.queries.trafficSensors(districtFilter(args.district), args),
  trafficSensor: (_: unknown, args: { id: string }, ctx: MobilityContext) =>
    ctx.loaders.trafficSensorById.load(args.id),
  trafficReadings: (
    _: unknown,
    args: DistrictArgs & { range?: TimeRange | null },
    ctx: MobilityContext,
  ) =>
    ctx.queries.trafficReadings(
      districtFilter(args.district, 'device.district'),
      args,
    ),
  trafficLights: (_: unknown, args: DistrictArgs, ctx: MobilityContext) =>
    ctx.queries.trafficLights(districtFilter(args.district), args),
  trafficLight: (_: unknown, args: { id: string }, ctx: MobilityContext) =>
    ctx.loaders.trafficLightById.load(args.id),
  signalPlanRecommendations: (
    _: unknown,
    args: SignalPlanRecommendationsArgs,
    ctx: MobilityContext,
  ) => signalPlanRecommendations(args, ctx),
  transitLines: (
    _: unknown,
    args: { mode?: TransitLineDoc['mode'] | null },
    ctx: MobilityContext,
  ) => ctx.queries.transitLines(args.mode ? { mode: args.mode } : {}),
  transitStop: (_: unknown, args: { id: string }, ctx: MobilityContext) =>
    ctx.loaders.transitStopById.load(args.id),
  bikeStations: (_: unknown, args: DistrictArgs, ctx: MobilityContext) =>
    ctx.queries.bikeStations(districtFilter(args.district), args),
};
