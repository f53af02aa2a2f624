/**
 * The districts' reference data (INSEE codes, names, populations), owned by
 * the platform so that root district queries never depend on a department
 * (docs/decisions/0007-district-reference-owned-by-governance.md). Answered
 * from lib/subgraph-kit's reference data; no database.
 */
import { districtSharedResolvers } from '../../../../lib/subgraph-kit/districts.js';

export const District = { ...districtSharedResolvers };
