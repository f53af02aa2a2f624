/**
 * The forms of the ids of the city graph's `Node` types (GraphQL Global
 * Object Identification, docs/decisions/0010-global-object-identification.md).
 * Every department gives each of its types ids of a form no other type uses
 * (`mob-ts-<INSEE>-<nn>` for traffic sensors, a district's INSEE code, ...),
 * so an id alone names its type: the governance subgraph answers
 * `node(id:)` with that type and the id, and the gateway asks the owner for
 * the rest. A test checks that this table lists exactly the supergraph's
 * `Node` implementations and that every seeded id matches its own type's
 * form only (tests/e2e/nodes.e2e.test.ts).
 */
import { BadUserInputError } from '../runtime/errors.js';

const INSEE = '132(?:0[1-9]|1[0-6])';

/**
 * Each `Node` type and the form of its ids. The forms do not overlap: no id
 * matches two of them. Readings (`<device id>@<instant>`) are no `Node`, so
 * no form admits an `@`.
 */
export const NODE_ID_FORMS = Object.freeze({
  District: new RegExp(`^${INSEE}$`),
  // mobility
  TrafficSensor: /^mob-ts-[^@]+$/,
  TrafficLight: /^mob-tl-[^@]+$/,
  BikeStation: /^mob-bk-[^@]+$/,
  TransitLine: /^rtm-(?!stop-)[^@]+$/,
  TransitStop: /^rtm-stop-[^@]+$/,
  // environment
  AirQualityStation: /^env-aq-[^@]+$/,
  WaterMeter: /^env-wm-[^@]+$/,
  RenewableEnergyProject: /^env-rep-[^@]+$/,
  // economy
  Business: /^eco-biz-[^@]+$/,
  Startup: /^eco-su-[^@]+$/,
  InnovationHub: /^eco-hub-[^@]+$/,
  // engagement
  Workshop: /^eng-ws-[^@]+$/,
  TrainingProgram: /^eng-tp-[^@]+$/,
  CitizenReport: /^eng-cr-[^@]+$/,
  Survey: /^eng-sv-[^@]+$/,
} satisfies Record<string, RegExp>);

/** The name of a `Node` type. */
export type NodeType = keyof typeof NODE_ID_FORMS;

/** The most ids one `nodes(ids:)` takes (the graph's page maximum). */
export const MAX_NODE_IDS = 100;

/** The `Node` type whose ids have this form, or null when none has. */
export function nodeTypeOf(id: string): NodeType | null {
  for (const type of Object.keys(NODE_ID_FORMS) as NodeType[])
    if (NODE_ID_FORMS[type].test(id)) return type;
  return null;
}

/** A `Node` reference as governance answers it: the type its id names, and the id. */
export interface NodeRef {
  __typename: NodeType;
  id: string;
  /** Set for a `District`, whose key is its code. */
  code?: string;
}

/**
 * The reference an id names. An id of no `Node` type's form is
 * BAD_USER_INPUT (docs/errors.md): it cannot name anything.
 */
export function nodeRefOf(id: string, argumentName = 'id'): NodeRef {
  const type = nodeTypeOf(id);
  if (type === null)
    throw new BadUserInputError(
      `${JSON.stringify(id)} is not the id of any object of the city graph (docs/clients.md, "Object identification").`,
      { argumentName },
    );
  return type === 'District'
    ? { __typename: type, id, code: id }
    : { __typename: type, id };
}

/** The references of `nodes(ids:)`, each problem listed in one BAD_USER_INPUT. */
export function nodeRefsOf(ids: readonly string[]): NodeRef[] {
  if (ids.length > MAX_NODE_IDS)
    throw new BadUserInputError(
      `nodes takes at most ${MAX_NODE_IDS} ids, got ${ids.length}.`,
      { argumentName: 'ids' },
    );
  const unknown = ids.filter((id) => nodeTypeOf(id) === null);
  if (unknown.length > 0)
    throw new BadUserInputError(
      `Not the id of any object of the city graph: ${unknown.map((id) => JSON.stringify(id)).join(', ')} (docs/clients.md, "Object identification").`,
      { argumentName: 'ids' },
    );
  return ids.map((id) => nodeRefOf(id, 'ids'));
}
