/**
 * The access-rule diff of a schema change: compares the rules of the
 * committed supergraph with the candidate's (lib/records/access
 * readAccessRules) and classes every change that weakens
 * protection, which then needs an auditors' approval, apart from changes
 * that only tighten it, which pass with a note.
 */
import {
  describeAccessRequirement,
  isPublicRequirement,
  readAccessRules,
  type AccessRequirement,
  type AccessRule,
} from '../../records/access/index.js';

/** Kinds of weakening, as written in governance/access-approvals.yaml `change:`. */
export const WEAKENING_KINDS = [
  /** A protected field became public. */
  'rule-removed',
  /** A field's rule lets more callers through (a scope, policy or authentication dropped). */
  'rule-loosened',
  /** A field's rule changed in a way that both tightens and loosens it. */
  'rule-changed',
  /** A field lost its `personal-data` tag. */
  'personal-data-untagged',
  /** A new public field on a type whose other fields are protected. */
  'new-field-without-rule',
  /** A new type without any rule, returned by a field of a protected type. */
  'new-type-without-rule',
  /** A new field of one department returning another department's protected type. */
  'new-entity-reference',
] as const;

/** A kind of weakening. */
export type WeakeningKind = (typeof WEAKENING_KINDS)[number];

/** One access-rule change. */
export interface AccessRuleChange {
  /** `Type.field` (or `Type` for a new type). */
  readonly coordinate: string;
  /** `weakening` fails the check unless approved; `tightening` passes with a note. */
  readonly effect: 'weakening' | 'tightening';
  /** For weakenings, the kind an approval must name; `rule-tightened` or `personal-data-tagged` otherwise. */
  readonly change: WeakeningKind | 'rule-tightened' | 'personal-data-tagged';
  /** The rule before, in words (`public`, `scope a`…), when the field existed. */
  readonly before: string | undefined;
  /** The rule after, in words. */
  readonly after: string | undefined;
  /** Whether the field is (or was) tagged personal data. */
  readonly personalData: boolean;
  /** A sentence for the report. */
  readonly message: string;
}

const describe = (rule: AccessRequirement): string =>
  describeAccessRequirement(rule);

function needsIdentity(rule: AccessRequirement): boolean {
  return !isPublicRequirement(rule);
}

// Every caller meeting `group` alternatives of `stronger` meets `weaker`:
// each AND-group of the stronger rule contains some AND-group of the weaker.
function alternativesImply(
  stronger: readonly string[][],
  weaker: readonly string[][],
): boolean {
  if (weaker.length === 0) return true;
  if (stronger.length === 0) return false;
  return stronger.every((group) =>
    weaker.some((other) => other.every((item) => group.includes(item))),
  );
}

/** Whether every caller allowed by `stronger` is allowed by `weaker`. */
export function requirementImplies(
  stronger: AccessRequirement,
  weaker: AccessRequirement,
): boolean {
  return (
    (!needsIdentity(weaker) || needsIdentity(stronger)) &&
    alternativesImply(stronger.scopes, weaker.scopes) &&
    alternativesImply(stronger.policies, weaker.policies)
  );
}

function sameRequirement(a: AccessRequirement, b: AccessRequirement): boolean {
  return describe(a) === describe(b) && a.authenticated === b.authenticated;
}

/**
 * Compares the access rules of two supergraphs. `oldSupergraphSdl`
 * undefined (no committed supergraph yet) yields no change.
 */
export function diffAccessRules(
  oldSupergraphSdl: string | undefined,
  newSupergraphSdl: string,
): AccessRuleChange[] {
  if (oldSupergraphSdl === undefined) return [];
  return diffAccessRuleLists(
    readAccessRules(oldSupergraphSdl).fields,
    readAccessRules(newSupergraphSdl).fields,
  );
}

/** {@link diffAccessRules} over already-read rule lists. */
export function diffAccessRuleLists(
  oldRules: readonly AccessRule[],
  newRules: readonly AccessRule[],
): AccessRuleChange[] {
  const before = new Map(oldRules.map((rule) => [rule.coordinate, rule]));
  const oldTypes = new Set(oldRules.map((rule) => rule.type));
  const protectedTypesBefore = new Set(
    oldRules.filter((rule) => !rule.public).map((rule) => rule.type),
  );
  const protectedTypesAfter = new Set(
    newRules.filter((rule) => !rule.public).map((rule) => rule.type),
  );
  // Department(s) owning the protected fields of each type, after the change.
  const protectedOwners = new Map<string, Set<string>>();
  // Subgraphs that alone resolve some field of each type: a department that
  // adds its own fields to a shared entity (District) is not reaching into
  // another's; one holding only a key stub of the type is.
  const contributors = new Map<string, Set<string>>();
  for (const rule of newRules) {
    const all = contributors.get(rule.type) ?? new Set<string>();
    const [only] = rule.subgraphs;
    if (rule.subgraphs.length === 1 && only !== undefined) all.add(only);
    contributors.set(rule.type, all);
    if (rule.public) continue;
    const owners = protectedOwners.get(rule.type) ?? new Set<string>();
    for (const subgraph of rule.subgraphs) owners.add(subgraph);
    protectedOwners.set(rule.type, owners);
  }

  const changes: AccessRuleChange[] = [];
  for (const rule of newRules) {
    const old = before.get(rule.coordinate);
    const after = describe(rule.rule);
    if (old) {
      const was = describe(old.rule);
      const personalData = old.personalData || rule.personalData;
      const pd = personalData ? ' (personal data)' : '';
      if (!sameRequirement(old.rule, rule.rule)) {
        const loosens = !requirementImplies(rule.rule, old.rule);
        const tightens = !requirementImplies(old.rule, rule.rule);
        if (loosens) {
          const change: WeakeningKind = rule.public
            ? 'rule-removed'
            : tightens
              ? 'rule-changed'
              : 'rule-loosened';
          const verb =
            change === 'rule-removed'
              ? 'lost its access rule'
              : change === 'rule-changed'
                ? 'changed its access rule'
                : 'has a looser access rule';
          changes.push({
            coordinate: rule.coordinate,
            effect: 'weakening',
            change,
            before: was,
            after,
            personalData,
            message: `${rule.coordinate}${pd} ${verb}: was "${was}", now "${after}".`,
          });
        } else {
          changes.push({
            coordinate: rule.coordinate,
            effect: 'tightening',
            change: 'rule-tightened',
            before: was,
            after,
            personalData,
            message: `${rule.coordinate}${pd} is more protected: was "${was}", now "${after}".`,
          });
        }
      }
      if (old.personalData && !rule.personalData) {
        changes.push({
          coordinate: rule.coordinate,
          effect: 'weakening',
          change: 'personal-data-untagged',
          before: was,
          after,
          personalData: true,
          message: `${rule.coordinate} is no longer tagged personal-data.`,
        });
      } else if (!old.personalData && rule.personalData) {
        changes.push({
          coordinate: rule.coordinate,
          effect: 'tightening',
          change: 'personal-data-tagged',
          before: was,
          after,
          personalData: true,
          message: `${rule.coordinate} is now tagged personal-data.`,
        });
      }
      if (old.returnType === rule.returnType) continue;
    }

    // A field that is new, or returns another type than before.
    if (
      !old &&
      rule.public &&
      oldTypes.has(rule.type) &&
      protectedTypesBefore.has(rule.type)
    ) {
      changes.push({
        coordinate: rule.coordinate,
        effect: 'weakening',
        change: 'new-field-without-rule',
        before: undefined,
        after,
        personalData: rule.personalData,
        message: `New field ${rule.coordinate} is public, but ${rule.type} has protected fields: give it a rule or have it approved.`,
      });
    }
    const owners = protectedOwners.get(rule.returnType);
    if (
      owners &&
      owners.size > 0 &&
      rule.subgraphs.length > 0 &&
      rule.subgraphs.every(
        (subgraph) =>
          !(contributors.get(rule.returnType)?.has(subgraph) ?? false),
      )
    ) {
      changes.push({
        coordinate: rule.coordinate,
        effect: 'weakening',
        change: 'new-entity-reference',
        before: old ? describe(old.rule) : undefined,
        after,
        personalData: rule.personalData,
        message: `New reference ${rule.coordinate} (${rule.subgraphs.join(', ')}) into ${rule.returnType}, whose protected fields belong to ${[...owners].sort().join(', ')}.`,
      });
    }
  }

  // New types without any rule, reachable from a field of a protected type.
  const newTypes = new Set(
    newRules
      .filter((rule) => !oldTypes.has(rule.type))
      .map((rule) => rule.type),
  );
  for (const type of newTypes) {
    if (protectedTypesAfter.has(type)) continue;
    const from = newRules.find(
      (rule) =>
        rule.returnType === type &&
        protectedTypesAfter.has(rule.type) &&
        rule.type !== type,
    );
    if (from) {
      changes.push({
        coordinate: type,
        effect: 'weakening',
        change: 'new-type-without-rule',
        before: undefined,
        after: 'public',
        personalData: false,
        message: `New type ${type} has no access rule, and is returned by ${from.coordinate} on protected type ${from.type}.`,
      });
    }
  }
  return changes;
}
