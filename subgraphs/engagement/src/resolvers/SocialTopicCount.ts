/** Resolvers of `SocialTopicCount` (rows of Query.socialTopics). */
import type { SocialTopicRow } from '../queries/socialTopics.js';
import { findServiceType } from '../serviceTypes.js';

export const SocialTopicCount = {
  district: (row: SocialTopicRow) =>
    row.district === null ? null : { code: row.district },
  serviceType: (row: SocialTopicRow) =>
    row.serviceCode === null
      ? null
      : (findServiceType(row.serviceCode) ?? null),
};
