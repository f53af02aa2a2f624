/**
 * The access requirement of a type or field, combined and evaluated exactly
 * as Apollo's authorization directives specify
 * (https://www.apollographql.com/docs/graphos/routing/security/authorization):
 *
 * - `@authenticated`: the caller must carry an identity.
 * - `@requiresScopes(scopes: [[Scope!]!]!)`: the outer list is OR, each inner
 *   list is AND: `[["a", "b"], ["c"]]` means (a AND b) OR c.
 * - `@policy(policies: [[Policy!]!]!)`: same shape, over the named policies
 *   of lib/runtime/roles.ts (which the gateway derives from the caller's scopes).
 *
 * A field is protected by its own directives AND those of the type it
 * belongs to AND those of the named type it returns; combining two
 * requirements ANDs them (the OR-of-ANDs lists are multiplied out).
 * Scopes and policies come only with a token, so a caller without identity
 * fails every non-public requirement as UNAUTHENTICATED; a caller with an
 * identity but lacking a scope or policy fails as FORBIDDEN.
 */
import { ErrorCode } from '../../runtime/errors.js';
import type { Viewer } from '../../runtime/viewer.js';

/** What a type or field requires. Empty lists mean "no scope / policy required". */
export interface AccessRequirement {
  /** The caller must carry an identity. */
  readonly authenticated: boolean;
  /** OR of AND groups of scopes, normalized (sorted, no redundant group). */
  readonly scopes: string[][];
  /** OR of AND groups of policy names, normalized like `scopes`. */
  readonly policies: string[][];
}

/** The requirement of public data: nothing. */
export const PUBLIC_REQUIREMENT: AccessRequirement = Object.freeze({
  authenticated: false,
  // Frozen too: this object is shared by every public field.
  scopes: Object.freeze([]) as unknown as string[][],
  policies: Object.freeze([]) as unknown as string[][],
});

/** Whether a requirement lets anyone, even without a token, through. */
export function isPublicRequirement(requirement: AccessRequirement): boolean {
  return (
    !requirement.authenticated &&
    requirement.scopes.length === 0 &&
    requirement.policies.length === 0
  );
}

/**
 * Normalizes an OR-of-AND list: each group sorted and deduplicated, groups
 * that contain another group dropped ((a) OR (a AND b) is just a), groups
 * sorted. A list with an empty group requires nothing and becomes `[]`.
 */
export function normalizeAlternatives(
  alternatives: readonly (readonly string[])[],
): string[][] {
  const groups = alternatives.map((group) => [...new Set(group)].sort());
  if (groups.some((group) => group.length === 0)) return [];
  const minimal = groups.filter(
    (group, index) =>
      !groups.some(
        (other, otherIndex) =>
          otherIndex !== index &&
          other.every((item) => group.includes(item)) &&
          (other.length < group.length || otherIndex < index),
      ),
  );
  return minimal.sort(compareGroups);
}

function compareGroups(a: readonly string[], b: readonly string[]): number {
  const left = a.join('\u0000');
  const right = b.join('\u0000');
  return left < right ? -1 : left > right ? 1 : 0;
}

// (A1 OR A2) AND (B1 OR B2) = (A1 B1) OR (A1 B2) OR (A2 B1) OR (A2 B2).
function andAlternatives(
  left: readonly (readonly string[])[],
  right: readonly (readonly string[])[],
): string[][] {
  if (left.length === 0) return normalizeAlternatives(right);
  if (right.length === 0) return normalizeAlternatives(left);
  const product: string[][] = [];
  for (const a of left) for (const b of right) product.push([...a, ...b]);
  return normalizeAlternatives(product);
}

/** The requirement of satisfying all of `requirements` (logical AND). */
export function combineRequirements(
  ...requirements: readonly AccessRequirement[]
): AccessRequirement {
  return requirements.reduce<AccessRequirement>(
    (all, next) => ({
      authenticated: all.authenticated || next.authenticated,
      scopes: andAlternatives(all.scopes, next.scopes),
      policies: andAlternatives(all.policies, next.policies),
    }),
    PUBLIC_REQUIREMENT,
  );
}

/** The outcome of {@link evaluateAccess}. */
export type AccessDecision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      /** UNAUTHENTICATED (no identity) or FORBIDDEN (identity lacks a scope or policy). */
      readonly code:
        typeof ErrorCode.UNAUTHENTICATED | typeof ErrorCode.FORBIDDEN;
    };

const ALLOWED: AccessDecision = Object.freeze({ allowed: true });

function satisfies(
  alternatives: readonly (readonly string[])[],
  held: ReadonlySet<string>,
): boolean {
  return (
    alternatives.length === 0 ||
    alternatives.some((group) => group.every((item) => held.has(item)))
  );
}

/** Decides whether `viewer` meets `requirement` (see the module comment). */
export function evaluateAccess(
  requirement: AccessRequirement,
  viewer: Viewer,
): AccessDecision {
  if (isPublicRequirement(requirement)) return ALLOWED;
  if (viewer.subject === null) {
    return { allowed: false, code: ErrorCode.UNAUTHENTICATED };
  }
  if (
    satisfies(requirement.scopes, viewer.scopes) &&
    satisfies(requirement.policies, viewer.policies)
  ) {
    return ALLOWED;
  }
  return { allowed: false, code: ErrorCode.FORBIDDEN };
}

function describeAlternatives(
  alternatives: readonly (readonly string[])[],
  singular: string,
  plural: string,
  quote: (name: string) => string,
): string {
  return alternatives
    .map((group) =>
      group.length === 1
        ? `${singular} ${quote(group[0] ?? '')}`
        : `${plural} ${group.map(quote).join(' and ')}`,
    )
    .join(' or ');
}

/** Options of {@link describeAccessRequirement}. */
export interface DescribeOptions {
  /**
   * Wraps scope and policy names (e.g. in backticks for markdown).
   * @default the name as is
   */
  readonly quote?: (name: string) => string;
}

/**
 * A short English description of a requirement: `public`, `authentication`,
 * `scope engagement:pii`, `scopes a and b or scope c`, `policy city-staff`,
 * `scope x; policy y`.
 */
export function describeAccessRequirement(
  requirement: AccessRequirement,
  options: DescribeOptions = {},
): string {
  const quote = options.quote ?? ((name: string) => name);
  if (isPublicRequirement(requirement)) return 'public';
  const parts: string[] = [];
  if (requirement.scopes.length > 0) {
    parts.push(
      describeAlternatives(requirement.scopes, 'scope', 'scopes', quote),
    );
  }
  if (requirement.policies.length > 0) {
    parts.push(
      describeAlternatives(requirement.policies, 'policy', 'policies', quote),
    );
  }
  return parts.length > 0 ? parts.join('; ') : 'authentication';
}
