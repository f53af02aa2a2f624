/**
 * Committed approvals read by the schema check:
 *
 * - `governance/access-approvals.yaml`, kept by the auditors: each entry
 *   approves one access-rule weakening (see diffAccessRules.ts).
 * - `governance/schema-approvals.yaml`, kept by the department teams:
 *   each entry approves one breaking change that recorded operations still
 *   use (the team has told the clients and accepts the breakage).
 *
 * Both files hold `approvals:`, a list of
 * `{ coordinate, change, approvedBy, approvedAt, reason }`
 * (+ `subgraph` in schema approvals; + optional `rule`, the approved rule in
 * words, in access approvals). A missing file means no approval.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { WEAKENING_KINDS, type AccessRuleChange } from './diffAccessRules.js';

/** What every approval says. */
export interface Approval {
  /** `Type.field` (or `Type`). */
  readonly coordinate: string;
  /** The change approved: a weakening kind, or an inspector change type such as `FIELD_REMOVED`. */
  readonly change: string;
  /** Who approved (name, role). */
  readonly approvedBy: string;
  /** When (ISO date). */
  readonly approvedAt: string;
  /** Why. */
  readonly reason: string;
  /** Access approvals: the rule after the change, in words (`public`, `scope x`); when set, it must match. */
  readonly rule?: string;
  /** Schema approvals: the subgraph the change is in; when set, it must match. */
  readonly subgraph?: string;
}

/**
 * Reads an approvals file; a missing file is an empty list. Throws naming
 * every malformed entry: an approval without who, when and why is no approval.
 */
export async function loadApprovals(
  file: string,
  kind: 'access' | 'schema',
): Promise<Approval[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const doc: unknown = parseYaml(text);
  const list: unknown =
    doc && typeof doc === 'object'
      ? (doc as Record<string, unknown>)['approvals']
      : undefined;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list))
    throw new Error(`${file}: "approvals" must be a list`);
  const problems: string[] = [];
  const approvals: Approval[] = [];
  list.forEach((entry: unknown, index) => {
    const at = `${file}: approvals[${index}]`;
    if (!entry || typeof entry !== 'object') {
      problems.push(`${at} must be a mapping`);
      return;
    }
    const record = entry as Record<string, unknown>;
    const text = (name: string): string | undefined => {
      const value = record[name];
      if (value instanceof Date) return value.toISOString().slice(0, 10);
      return typeof value === 'string' && value.trim() !== ''
        ? value.trim()
        : undefined;
    };
    const missing = [
      'coordinate',
      'change',
      'approvedBy',
      'approvedAt',
      'reason',
    ].filter((name) => text(name) === undefined);
    if (missing.length > 0) {
      problems.push(`${at} lacks ${missing.join(', ')}`);
      return;
    }
    const change = text('change') as string;
    if (
      kind === 'access' &&
      !(WEAKENING_KINDS as readonly string[]).includes(change)
    ) {
      problems.push(
        `${at}: change "${change}" is not one of ${WEAKENING_KINDS.join(', ')}`,
      );
      return;
    }
    const approvedAt = text('approvedAt') as string;
    if (Number.isNaN(Date.parse(approvedAt))) {
      problems.push(`${at}: approvedAt "${approvedAt}" is not a date`);
      return;
    }
    const rule = text('rule');
    const subgraph = text('subgraph');
    approvals.push({
      coordinate: text('coordinate') as string,
      change,
      approvedBy: text('approvedBy') as string,
      approvedAt,
      reason: text('reason') as string,
      ...(rule === undefined ? {} : { rule }),
      ...(subgraph === undefined ? {} : { subgraph }),
    });
  });
  if (problems.length > 0)
    throw new Error(`Invalid approvals:\n- ${problems.join('\n- ')}`);
  return approvals;
}

/** The auditors' approval of an access-rule weakening, if there is one. */
export function findAccessApproval(
  approvals: readonly Approval[],
  change: AccessRuleChange,
): Approval | undefined {
  return approvals.find(
    (approval) =>
      approval.coordinate === change.coordinate &&
      approval.change === change.change &&
      (approval.rule === undefined || approval.rule === change.after),
  );
}

/** The team's approval of a breaking change in use, if there is one. */
export function findSchemaApproval(
  approvals: readonly Approval[],
  subgraph: string,
  coordinate: string,
  changeType: string,
): Approval | undefined {
  return approvals.find(
    (approval) =>
      approval.coordinate === coordinate &&
      approval.change === changeType &&
      (approval.subgraph === undefined || approval.subgraph === subgraph),
  );
}
