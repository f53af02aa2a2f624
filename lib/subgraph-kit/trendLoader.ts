/**
 * What the departments' trend fields share (docs/trends.md): the GraphQL
 * `TrendResolution` and `TimeRangeInput` of a trend turned into the
 * engine's range and resolution (checked: both ends, start before end, the
 * resolution's longest range), and a per-request loader that answers the
 * trends of every key asked with the same range and resolution in one read
 * of the rollups (lib/subgraph-kit/readTrend.ts).
 */
import DataLoader from 'dataloader';
import type { Connection } from 'mongoose';
import { BadUserInputError } from '../runtime/errors.js';
import { readTrends, type Trend } from './readTrend.js';
import type { RollupScope, RollupSeries } from './rollups.js';
import {
  chooseResolution,
  type Resolution,
  type TrendRange,
} from './rollupWindows.js';
import type { TimeRange } from './pagination.js';

/** The schema's `TrendResolution` values. */
export type TrendResolutionValue = 'FIFTEEN_MINUTES' | 'HOUR' | 'DAY';

const RESOLUTION_OF: Readonly<Record<TrendResolutionValue, Resolution>> = {
  FIFTEEN_MINUTES: '15m',
  HOUR: '1h',
  DAY: '1d',
};
const VALUE_OF: Readonly<Record<Resolution, TrendResolutionValue>> = {
  '15m': 'FIFTEEN_MINUTES',
  '1h': 'HOUR',
  '1d': 'DAY',
};

/** The arguments of a trend field. */
export interface TrendArgs {
  range: TimeRange;
  resolution?: TrendResolutionValue | null | undefined;
}

/**
 * The range and resolution of a trend field's arguments; BAD_USER_INPUT
 * (argument `range`) when an end is missing, the range does not end after
 * it starts, or it is longer than the resolution allows.
 */
export function parseTrendArgs(args: TrendArgs): {
  range: TrendRange;
  resolution: Resolution;
} {
  const { from, to } = args.range;
  if (!from || !to)
    throw new BadUserInputError(
      'A trend needs both ends of its range: "from" and "to".',
      { argumentName: 'range' },
    );
  const range = { from, to };
  const asked = args.resolution ? RESOLUTION_OF[args.resolution] : null;
  return { range, resolution: chooseResolution(range, asked) };
}

/** The schema's fields every trend has. */
export interface TrendHeader {
  resolution: TrendResolutionValue;
  source: Trend['source'];
  reachesPastRawRetention: boolean;
}

/** The {@link TrendHeader} of a trend. */
export function trendHeader(trend: Trend): TrendHeader {
  return {
    resolution: VALUE_OF[trend.resolution],
    source: trend.source,
    reachesPastRawRetention: trend.reachesPastRawRetention,
  };
}

/** Options of {@link createTrendLoader}. */
export interface TrendLoaderOptions {
  /** The department's database (`Model.db`). */
  readonly connection: Connection;
  readonly series: RollupSeries;
  readonly scope: RollupScope;
  /** `READINGS_RAW_RETENTION_DAYS`. @default 90 */
  readonly rawRetentionDays?: number;
}

/** Loads one key's trend; keys asked in the same tick with the same range and resolution share one read. */
export type TrendLoader = (
  key: string,
  range: TrendRange,
  resolution: Resolution,
) => Promise<Trend>;

/** Creates the per-request trend loader of a series and scope ([DL]: once per request). */
export function createTrendLoader(options: TrendLoaderOptions): TrendLoader {
  const loaders = new Map<string, DataLoader<string, Trend>>();
  return (key, range, resolution) => {
    const signature = `${range.from.toISOString()}/${range.to.toISOString()}/${resolution}`;
    let loader = loaders.get(signature);
    if (loader === undefined) {
      loader = new DataLoader<string, Trend>(async (keys) => {
        const trends = await readTrends({
          connection: options.connection,
          series: options.series,
          scope: options.scope,
          keys,
          range,
          resolution,
          ...(options.rawRetentionDays === undefined
            ? {}
            : { rawRetentionDays: options.rawRetentionDays }),
        });
        return keys.map((k) => trends.get(k) as Trend);
      });
      loaders.set(signature, loader);
    }
    return loader.load(key);
  };
}
