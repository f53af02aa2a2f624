/** Loader: participation counts of each district (workshops, enrolments, reports). */
import DataLoader from 'dataloader';
import type { EngagementModels } from '../models/index.js';

/** Raw participation counts of one district. */
export interface ParticipationCounts {
  workshopsHeld: number;
  seatsOffered: number;
  residentEnrolments: number;
  citizenReports: number;
  openCitizenReports: number;
}

/**
 * Counts for a batch of districts: one aggregation per collection
 * (workshops, enrolments, citizen reports), whatever the number of districts.
 */
export function participationByDistrict(models: EngagementModels) {
  return new DataLoader<string, ParticipationCounts>(async (codes) => {
    const match = { $match: { district: { $in: [...codes] } } };
    const [workshops, enrolments, reports] = await Promise.all([
      models.Workshop.aggregate<{ _id: string; held: number; seats: number }>([
        match,
        {
          $group: {
            _id: '$district',
            held: { $sum: 1 },
            seats: { $sum: '$capacity' },
          },
        },
      ]).exec(),
      models.Enrolment.aggregate<{ _id: string; count: number }>([
        match,
        { $group: { _id: '$district', count: { $sum: 1 } } },
      ]).exec(),
      models.CitizenReport.aggregate<{
        _id: string;
        count: number;
        open: number;
      }>([
        match,
        {
          $group: {
            _id: '$district',
            count: { $sum: 1 },
            open: { $sum: { $cond: [{ $eq: ['$status', 'open'] }, 1, 0] } },
          },
        },
      ]).exec(),
    ]);
    const w = new Map(workshops.map((r) => [r._id, r]));
    const e = new Map(enrolments.map((r) => [r._id, r.count]));
    const c = new Map(reports.map((r) => [r._id, r]));
    return codes.map((code) => ({
      workshopsHeld: w.get(code)?.held ?? 0,
      seatsOffered: w.get(code)?.seats ?? 0,
      residentEnrolments: e.get(code) ?? 0,
      citizenReports: c.get(code)?.count ?? 0,
      openCitizenReports: c.get(code)?.open ?? 0,
    }));
  });
}
