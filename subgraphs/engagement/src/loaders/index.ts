/** Engagement's per-request loaders ([DL]: created once per request, never shared between viewers). */
import type { EngagementModels } from '../models/index.js';
import { citizenReportById } from './citizenReportById.js';
import { citizenReportPagesByDistrict } from './citizenReportPagesByDistrict.js';
import { citizenReportsByTrafficLight } from './citizenReportsByTrafficLight.js';
import { enrolmentPagesByWorkshop } from './enrolmentPagesByWorkshop.js';
import { indicatorPagesByDistrict } from './indicatorPagesByDistrict.js';
import { latestIndicatorByDistrict } from './latestIndicatorByDistrict.js';
import { participationByDistrict } from './participationByDistrict.js';
import { socialMentionsByReport } from './socialMentionsByReport.js';
import { surveyById } from './surveyById.js';
import { trainingProgramById } from './trainingProgramById.js';
import { workshopById } from './workshopById.js';
import { workshopPagesByDistrict } from './workshopPagesByDistrict.js';
import { workshopsByProgram } from './workshopsByProgram.js';

/** Creates a fresh set of loaders for one request (`now`: the request's clock). */
export function createLoaders(
  models: EngagementModels,
  now: () => Date = () => new Date(),
) {
  return {
    workshopById: workshopById(models),
    workshopsByProgram: workshopsByProgram(models),
    workshopPagesByDistrict: workshopPagesByDistrict(models),
    enrolmentPagesByWorkshop: enrolmentPagesByWorkshop(models),
    trainingProgramById: trainingProgramById(models),
    citizenReportById: citizenReportById(models),
    citizenReportsByTrafficLight: citizenReportsByTrafficLight(models),
    citizenReportPagesByDistrict: citizenReportPagesByDistrict(models),
    surveyById: surveyById(models),
    latestIndicatorByDistrict: latestIndicatorByDistrict(models),
    indicatorPagesByDistrict: indicatorPagesByDistrict(models),
    participationByDistrict: participationByDistrict(models),
    socialMentionsByReport: socialMentionsByReport(models, now),
  };
}

/** Engagement's loaders. */
export type EngagementLoaders = ReturnType<typeof createLoaders>;
