/**
 * Test support: how a department's own tests reach its `District` fields.
 * The root `district`/`districts` queries belong to the governance subgraph
 * (docs/decisions/0007-district-reference-owned-by-governance.md), so a
 * department is asked for districts the way the gateway asks it: through
 * `_entities`. Use as a field with its alias, e.g.
 * `{ districts: ${districtEntities()} { ... on District { code businessCount } } }`.
 */
import { DISTRICTS } from '../../subgraph-kit/districts.js';

/**
 * An `_entities(representations: [...])` field for these district codes
 * (all 16 in INSEE order by default), written as a literal so it composes
 * with the test's own variables.
 */
export function districtEntities(
  codes: readonly string[] = DISTRICTS.map((d) => d.code),
): string {
  const representations = codes
    .map((code) => `{ __typename: "District", code: ${JSON.stringify(code)} }`)
    .join(', ');
  return `_entities(representations: [${representations}])`;
}
