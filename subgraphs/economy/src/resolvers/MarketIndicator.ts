/** MarketIndicator: monthly economic figures of a district. */
import type { MarketIndicatorDoc, SectorFlowDoc } from '../models/index.js';
import { economicSector } from '../naf.js';
import { jobs, percent } from './units.js';

/** The first instant of the month after `periodStart` (UTC). */
function monthEnd(periodStart: Date): Date {
  return new Date(
    Date.UTC(periodStart.getUTCFullYear(), periodStart.getUTCMonth() + 1, 1),
  );
}

export const MarketIndicator = {
  id: (doc: MarketIndicatorDoc) => doc._id,
  district: (doc: MarketIndicatorDoc) => ({ code: doc.district }),
  observedAt: (doc: MarketIndicatorDoc) => monthEnd(doc.periodStart),
  netCreation: (doc: MarketIndicatorDoc) =>
    doc.businessOpenings - doc.businessClosures,
  employment: (doc: MarketIndicatorDoc) => jobs(doc.employment),
  vacancyRate: (doc: MarketIndicatorDoc) => percent(doc.vacancyRate),
};

export const SectorFlow = {
  sector: (flow: SectorFlowDoc) => economicSector(flow.sector),
};
