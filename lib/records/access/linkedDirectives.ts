/**
 * Internal to lib/records/access (not a public module): finds under which names a
 * schema uses the authorization and tag directives, following its `@link`s
 * (https://specs.apollo.dev/link/v1.0), and reads them from AST nodes.
 */
import {
  Kind,
  valueFromASTUntyped,
  type ConstDirectiveNode,
  type DirectiveNode,
  type SchemaDefinitionNode,
  type SchemaExtensionNode,
} from 'graphql';
import {
  combineRequirements,
  normalizeAlternatives,
  PUBLIC_REQUIREMENT,
  type AccessRequirement,
} from './accessRequirement.js';

/** Directive names a schema uses for each feature (without `@`). */
export interface DirectiveNames {
  /** Names of `@authenticated`. */
  readonly authenticated: ReadonlySet<string>;
  /** Names of `@requiresScopes`. */
  readonly requiresScopes: ReadonlySet<string>;
  /** Names of `@policy`. */
  readonly policy: ReadonlySet<string>;
  /** Names of `@tag`. */
  readonly tag: ReadonlySet<string>;
  /** Names of `@inaccessible`. */
  readonly inaccessible: ReadonlySet<string>;
}

/** One `@link` of a schema. */
export interface Link {
  /** Spec name from the URL, e.g. `federation`, `requiresScopes`, `join`. */
  readonly spec: string;
  /** Namespace prefix: `as:` or the spec name. */
  readonly namespace: string;
  /** Imported element name (with `@`) → local name (without `@`). */
  readonly imports: ReadonlyMap<string, string>;
}

function argument(directive: DirectiveNode, name: string): unknown {
  const node = directive.arguments?.find((arg) => arg.name.value === name);
  return node ? valueFromASTUntyped(node.value) : undefined;
}

/** The `@link`s of a schema definition and its extensions. */
export function readLinks(
  nodes: readonly (SchemaDefinitionNode | SchemaExtensionNode)[],
): Link[] {
  const links: Link[] = [];
  for (const node of nodes) {
    for (const directive of node.directives ?? []) {
      if (directive.name.value !== 'link') continue;
      const url = argument(directive, 'url');
      if (typeof url !== 'string') continue;
      // https://specs.apollo.dev/<spec>/v<major>.<minor>
      const segments = new URL(url).pathname.split('/').filter(Boolean);
      const spec = /^v\d/.test(segments.at(-1) ?? '')
        ? segments.at(-2)
        : segments.at(-1);
      if (!spec) continue;
      const as = argument(directive, 'as');
      const imports = new Map<string, string>();
      const imported = argument(directive, 'import');
      for (const entry of Array.isArray(imported) ? imported : []) {
        if (typeof entry === 'string') {
          imports.set(entry, entry.replace(/^@/, ''));
        } else if (entry && typeof entry === 'object') {
          const { name, as: alias } = entry as Record<string, unknown>;
          if (typeof name === 'string') {
            imports.set(
              name,
              (typeof alias === 'string' ? alias : name).replace(/^@/, ''),
            );
          }
        }
      }
      links.push({
        spec,
        namespace: typeof as === 'string' ? as.replace(/^@/, '') : spec,
        imports,
      });
    }
  }
  return links;
}

/**
 * Local names of directive `element` of the specs `specs`: its import alias,
 * else `<namespace>__<element>`, or `@<namespace>` when the element is the
 * spec's own directive (e.g. `@requiresScopes` of the requiresScopes spec).
 * The bare name is accepted too, so schemas without `@link` still work.
 */
export function linkedNames(
  links: readonly Link[],
  specs: readonly string[],
  element: string,
): Set<string> {
  const names = new Set<string>([element]);
  for (const link of links) {
    if (!specs.includes(link.spec)) continue;
    const imported = link.imports.get(`@${element}`);
    if (imported !== undefined) {
      names.add(imported);
      // Imported under another name: the bare name means something else.
      if (imported !== element) names.delete(element);
    } else if (link.spec === element) {
      names.add(link.namespace);
    } else {
      names.add(`${link.namespace}__${element}`);
    }
  }
  return names;
}

/** The names of the authorization, tag and inaccessible directives. */
export function resolveDirectiveNames(links: readonly Link[]): DirectiveNames {
  // In a subgraph they come from the federation spec; in a supergraph each
  // has its own spec (authenticated/v0.1, requiresScopes/v0.1, ...).
  const of = (element: string) =>
    linkedNames(links, ['federation', element], element);
  return {
    authenticated: of('authenticated'),
    requiresScopes: of('requiresScopes'),
    policy: of('policy'),
    tag: of('tag'),
    inaccessible: of('inaccessible'),
  };
}

function readAlternatives(
  directive: DirectiveNode,
  argumentName: string,
  where: string,
): string[][] {
  const value = argument(directive, argumentName);
  if (
    !Array.isArray(value) ||
    !value.every(
      (group) =>
        Array.isArray(group) &&
        group.every((item) => typeof item === 'string' && item !== ''),
    )
  ) {
    throw new Error(
      `${where}: @${directive.name.value}(${argumentName}:) must be a list of lists of names, e.g. [["a", "b"], ["c"]]`,
    );
  }
  return normalizeAlternatives(value as string[][]);
}

/** A node that may carry directives (type or field definition or extension). */
export interface DirectedNode {
  readonly directives?:
    readonly (ConstDirectiveNode | DirectiveNode)[] | undefined;
}

/**
 * The requirement the authorization directives of `nodes` (a definition and
 * its extensions) declare, ANDed together.
 * @throws Error naming `where` when a directive's argument is malformed.
 */
export function readRequirement(
  nodes: readonly (DirectedNode | null | undefined)[],
  names: DirectiveNames,
  where: string,
): AccessRequirement {
  const parts: AccessRequirement[] = [];
  for (const node of nodes) {
    for (const directive of node?.directives ?? []) {
      const name = directive.name.value;
      if (names.authenticated.has(name)) {
        parts.push({ ...PUBLIC_REQUIREMENT, authenticated: true });
      } else if (names.requiresScopes.has(name)) {
        const scopes = readAlternatives(directive, 'scopes', where);
        parts.push({ ...PUBLIC_REQUIREMENT, scopes });
      } else if (names.policy.has(name)) {
        const policies = readAlternatives(directive, 'policies', where);
        parts.push({ ...PUBLIC_REQUIREMENT, policies });
      }
    }
  }
  return combineRequirements(...parts);
}

/** The `name:` of every `@tag` on `nodes`. */
export function readTags(
  nodes: readonly (DirectedNode | null | undefined)[],
  names: DirectiveNames,
): Set<string> {
  const tags = new Set<string>();
  for (const node of nodes) {
    for (const directive of node?.directives ?? []) {
      if (!names.tag.has(directive.name.value)) continue;
      const name = argument(directive, 'name');
      if (typeof name === 'string') tags.add(name);
    }
  }
  return tags;
}

/** Whether one of `nodes` carries `@inaccessible`. */
export function hasInaccessible(
  nodes: readonly (DirectedNode | null | undefined)[],
  names: DirectiveNames,
): boolean {
  return nodes.some((node) =>
    (node?.directives ?? []).some((d) => names.inaccessible.has(d.name.value)),
  );
}

/** Whether a definition is a schema definition or extension (where `@link`s live). */
export function isSchemaNode(node: {
  kind: Kind;
}): node is SchemaDefinitionNode | SchemaExtensionNode {
  return (
    node.kind === Kind.SCHEMA_DEFINITION || node.kind === Kind.SCHEMA_EXTENSION
  );
}
