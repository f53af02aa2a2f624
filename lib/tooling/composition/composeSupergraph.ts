/**
 * Composes subgraph schemas into a supergraph with @apollo/composition, and
 * turns composition errors into plain words: a code, the subgraphs involved
 * and the library's message, plus what the code usually means.
 */
import { composeServices } from '@apollo/composition';
import {
  ROUTER_SUPPORTED_SUPERGRAPH_FEATURES,
  Supergraph,
} from '@apollo/federation-internals';
import { parse, type GraphQLError, type GraphQLSchema } from 'graphql';
import type { SubgraphSource } from './supergraphConfig.js';

/** One composition error, in plain words. */
export interface CompositionProblem {
  /** Federation error code, e.g. `FIELD_TYPE_MISMATCH`. */
  readonly code: string;
  /** The subgraphs the error names. */
  readonly subgraphs: readonly string[];
  /** The composition library's message. */
  readonly message: string;
  /** What the code usually means and how to fix it, when we know. */
  readonly explanation: string | undefined;
}

/** A successful composition. */
export interface CompositionSuccess {
  readonly ok: true;
  /** The supergraph SDL, as `supergraph.graphql` holds it. */
  readonly supergraphSdl: string;
  /** The API schema clients see (no join/link machinery, no @inaccessible). */
  readonly apiSchema: GraphQLSchema;
  /** Composition hints (`CODE: message`), informational. */
  readonly hints: readonly string[];
}

/** A failed composition. */
export interface CompositionFailure {
  readonly ok: false;
  readonly errors: readonly CompositionProblem[];
}

/** Result of {@link composeSupergraph}. */
export type CompositionOutcome = CompositionSuccess | CompositionFailure;

const EXPLANATIONS: Readonly<Record<string, string>> = {
  INVALID_GRAPHQL:
    'The schema file is not valid GraphQL SDL; fix the syntax first.',
  FIELD_TYPE_MISMATCH:
    'Two subgraphs declare the same field with incompatible types. A shared field must have the same type everywhere (or compatible nullability).',
  FIELD_ARGUMENT_TYPE_MISMATCH:
    'Two subgraphs declare the same argument with different types.',
  TYPE_KIND_MISMATCH:
    'The same type name is an object type in one subgraph and another kind (interface, input, enum…) in another.',
  INVALID_FIELD_SHARING:
    'A field is resolved by several subgraphs without being marked @shareable in all of them. Mark it @shareable, or use @override to move it.',
  SATISFIABILITY_ERROR:
    'Some query cannot be planned: a field is unreachable from the subgraph that starts the query. Usually a missing @key, or a @key whose fields the other subgraph cannot resolve.',
  EXTERNAL_MISSING_ON_BASE:
    'A field is marked @external but no subgraph actually defines it.',
  KEY_FIELDS_SELECT_INVALID_TYPE:
    'A @key selects a field of a type keys cannot use (a list, an interface or a union).',
  KEY_INVALID_FIELDS: 'A @key names fields the type does not have.',
  INVALID_LINK_DIRECTIVE_USAGE:
    'The @link directive at the top of the schema is malformed.',
  UNKNOWN_FEDERATION_LINK_VERSION:
    'The @link imports a Federation version this composition library does not know.',
  OVERRIDE_SOURCE_HAS_OVERRIDE:
    'A field is overridden from a subgraph that itself overrides it: override chains are not allowed.',
  OVERRIDE_FROM_SELF_ERROR:
    'A field is overridden "from" its own subgraph; name the subgraph it moves away from.',
  REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH:
    'A required argument of a shared field is missing in some subgraph.',
  EMPTY_MERGED_ENUM_TYPE:
    'An enum used both as input and output ends up with no common values across subgraphs.',
  ENUM_VALUE_MISMATCH:
    'An enum used as input and output must have the same values in every subgraph that declares it.',
  INTERFACE_FIELD_NO_IMPLEM:
    'An interface field has no implementation in some subgraph that defines an implementing type.',
  DIRECTIVE_DEFINITION_INVALID:
    'A directive definition conflicts with the one Federation expects.',
  NO_QUERIES: 'No subgraph defines any query field.',
};

function codeOf(error: GraphQLError): string {
  const code = error.extensions['code'];
  return typeof code === 'string' ? code : 'COMPOSITION_ERROR';
}

function subgraphsNamedIn(message: string, names: readonly string[]): string[] {
  return names.filter(
    (name) =>
      message.includes(`"${name}"`) ||
      message.includes(`[${name}]`) ||
      message.includes(`subgraph ${name}`),
  );
}

/** Returns the plain-words explanation of a federation error code, if we have one. */
export function explainCompositionCode(code: string): string | undefined {
  return EXPLANATIONS[code];
}

/**
 * Composes the given subgraphs. Never throws on bad input: parse errors and
 * composition errors come back as {@link CompositionProblem}s.
 */
export function composeSupergraph(
  subgraphs: readonly SubgraphSource[],
): CompositionOutcome {
  const names = subgraphs.map((subgraph) => subgraph.name);
  const parseProblems: CompositionProblem[] = [];
  const services = [];
  for (const subgraph of subgraphs) {
    try {
      services.push({
        name: subgraph.name,
        url: subgraph.url,
        typeDefs: parse(subgraph.sdl),
      });
    } catch (error) {
      parseProblems.push({
        code: 'INVALID_GRAPHQL',
        subgraphs: [subgraph.name],
        message: `[${subgraph.name}] ${(error as Error).message}`,
        explanation: EXPLANATIONS['INVALID_GRAPHQL'],
      });
    }
  }
  if (parseProblems.length > 0) return { ok: false, errors: parseProblems };

  const result = composeServices(services);
  if (result.errors) {
    return {
      ok: false,
      errors: result.errors.map((error) => {
        const code = codeOf(error);
        return {
          code,
          subgraphs: subgraphsNamedIn(error.message, names),
          message: error.message,
          explanation: EXPLANATIONS[code],
        };
      }),
    };
  }
  const supergraphSdl = result.supergraphSdl.endsWith('\n')
    ? result.supergraphSdl
    : `${result.supergraphSdl}\n`;
  return {
    ok: true,
    supergraphSdl,
    apiSchema: result.schema.toAPISchema().toGraphQLJSSchema(),
    hints: result.hints.map(
      (hint) => `${hint.definition.code}: ${hint.message}`,
    ),
  };
}

/**
 * Parses and validates a supergraph SDL (as the gateway would) and returns
 * its API schema. Throws when the supergraph is not valid.
 */
export function apiSchemaOfSupergraph(supergraphSdl: string): GraphQLSchema {
  // Router features: the authorization specs are linked `for: SECURITY`.
  return Supergraph.build(supergraphSdl, {
    supportedFeatures: ROUTER_SUPPORTED_SUPERGRAPH_FEATURES,
    validateSupergraph: true,
  })
    .apiSchema()
    .toGraphQLJSSchema();
}

/** Renders composition problems as a readable report, one block per error. */
export function formatCompositionProblems(
  problems: readonly CompositionProblem[],
): string {
  const lines = [
    `Composition failed with ${problems.length} error${problems.length === 1 ? '' : 's'}:`,
  ];
  for (const problem of problems) {
    const where =
      problem.subgraphs.length > 0
        ? ` (subgraph${problem.subgraphs.length > 1 ? 's' : ''} ${problem.subgraphs.join(', ')})`
        : '';
    lines.push('', `  ✗ ${problem.code}${where}`, `    ${problem.message}`);
    if (problem.explanation) lines.push(`    → ${problem.explanation}`);
  }
  return lines.join('\n');
}
