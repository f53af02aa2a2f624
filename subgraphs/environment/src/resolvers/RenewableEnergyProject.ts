/** RenewableEnergyProject, and the projects environment adds to economy's Business. */
import type { EnvironmentContext } from '../context.js';
import type { RenewableEnergyProjectDoc } from '../models/index.js';
import { kilowatts, megawattHoursPerYear } from './units.js';

/** Economy's Business as environment knows it: its key (see codegen.ts). */
export interface BusinessRef {
  __typename?: 'Business';
  id: string;
}

export const RenewableEnergyProject = {
  __resolveReference: (ref: { id: string }, ctx: EnvironmentContext) =>
    ctx.loaders.renewableEnergyProjectById.load(ref.id),
  id: (doc: RenewableEnergyProjectDoc) => doc._id,
  district: (doc: RenewableEnergyProjectDoc) => ({ code: doc.district }),
  capacity: (doc: RenewableEnergyProjectDoc) => kilowatts(doc.capacityKw),
  expectedAnnualProduction: (doc: RenewableEnergyProjectDoc) =>
    megawattHoursPerYear(doc.expectedAnnualMwh),
  // A stub: economy resolves the business at the gateway.
  operator: (doc: RenewableEnergyProjectDoc): BusinessRef | null =>
    doc.operatorId === null
      ? null
      : { __typename: 'Business', id: doc.operatorId },
};

/** Economy's Business, extended with the projects it operates. */
export const Business = {
  __resolveReference: (ref: BusinessRef): BusinessRef => ({ id: ref.id }),
  renewableEnergyProjects: (
    ref: BusinessRef,
    _: unknown,
    ctx: EnvironmentContext,
  ) => ctx.loaders.renewableEnergyProjectsByOperator.load(ref.id),
};
