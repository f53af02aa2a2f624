/**
 * THE role-to-scopes table and the named policies of the city graph: the one
 * place that says which scopes exist, which roles grant them, and what each
 * `@policy` name means. Subgraph schemas write these scope and policy names in
 * `@requiresScopes` and `@policy`; the gateway derives `viewer.policies` from
 * the caller's scopes with {@link policiesForScopes}.
 *
 * | role                | scopes                                                    |
 * |---------------------|-----------------------------------------------------------|
 * | `public`            | (none: no token)                                          |
 * | `citizen`           | `citizen`                                                 |
 * | `mobility-staff`    | `mobility:staff`, `mobility:control`                      |
 * | `environment-staff` | `environment:staff`                                       |
 * | `economy-staff`     | `economy:staff`, `economy:investments`                    |
 * | `engagement-staff`  | `engagement:staff`, `engagement:pii`                      |
 * | `auditor`           | `audit:read`                                              |
 * | `mobility-ingest`   | `mobility:ingest`                                         |
 * | `environment-ingest`| `environment:ingest`                                      |
 * | `economy-ingest`    | `economy:ingest`                                          |
 * | `engagement-ingest` | `engagement:ingest`                                       |
 * | `admin`             | every scope above                                         |
 *
 * Auditors read the access rules and the audit trail, not the departments'
 * data: need-to-know (GDPR art. 5(1)(c), data minimisation). They also read
 * each department's data-quality view (`<department>DataQuality`: counts
 * per source, no record), beside the department's staff. The ingest
 * roles are for partners and device gateways that send a department's
 * records (docs/ingestion.md): they may write that department's
 * observations and read nothing protected.
 */

/** The scope vocabulary. Schemas use exactly these strings. */
export const Scope = {
  /** A signed-in citizen (citizen portal). */
  CITIZEN: 'citizen',
  /** Mobility department staff: operational mobility data. */
  MOBILITY_STAFF: 'mobility:staff',
  /** Traffic-light control and signal plans. */
  MOBILITY_CONTROL: 'mobility:control',
  /** Environment department staff: operational data (leak alerts, meters). */
  ENVIRONMENT_STAFF: 'environment:staff',
  /** Economy department staff. */
  ECONOMY_STAFF: 'economy:staff',
  /** Investment amounts and terms (commercial data). */
  ECONOMY_INVESTMENTS: 'economy:investments',
  /** Engagement department staff. */
  ENGAGEMENT_STAFF: 'engagement:staff',
  /** Citizens' personal data (names, contacts in reports and enrolments). */
  ENGAGEMENT_PII: 'engagement:pii',
  /** The access rules and the audit trail. */
  AUDIT_READ: 'audit:read',
  /** Send mobility's records (traffic flow, ...) through the NGSI endpoints or MQTT. */
  MOBILITY_INGEST: 'mobility:ingest',
  /** Send environment's records (air quality, ...). */
  ENVIRONMENT_INGEST: 'environment:ingest',
  /** Send economy's records (business registries, ...). */
  ECONOMY_INGEST: 'economy:ingest',
  /** Send engagement's records (citizen reports, posts, ...). */
  ENGAGEMENT_INGEST: 'engagement:ingest',
} as const;

/** One scope of the vocabulary {@link Scope}. */
export type Scope = (typeof Scope)[keyof typeof Scope];

/** Every scope of the vocabulary, in table order. */
export const ALL_SCOPES: readonly Scope[] = Object.freeze(Object.values(Scope));

/** The roles, in table order. */
export const ROLE_NAMES = [
  'public',
  'citizen',
  'mobility-staff',
  'environment-staff',
  'economy-staff',
  'engagement-staff',
  'auditor',
  'mobility-ingest',
  'environment-ingest',
  'economy-ingest',
  'engagement-ingest',
  'admin',
] as const;

/** A role name. */
export type Role = (typeof ROLE_NAMES)[number];

/** The role-to-scopes table (see the module comment). */
export const ROLE_SCOPES: Readonly<Record<Role, readonly Scope[]>> =
  Object.freeze({
    public: [],
    citizen: [Scope.CITIZEN],
    'mobility-staff': [Scope.MOBILITY_STAFF, Scope.MOBILITY_CONTROL],
    'environment-staff': [Scope.ENVIRONMENT_STAFF],
    'economy-staff': [Scope.ECONOMY_STAFF, Scope.ECONOMY_INVESTMENTS],
    'engagement-staff': [Scope.ENGAGEMENT_STAFF, Scope.ENGAGEMENT_PII],
    auditor: [Scope.AUDIT_READ],
    'mobility-ingest': [Scope.MOBILITY_INGEST],
    'environment-ingest': [Scope.ENVIRONMENT_INGEST],
    'economy-ingest': [Scope.ECONOMY_INGEST],
    'engagement-ingest': [Scope.ENGAGEMENT_INGEST],
    admin: ALL_SCOPES,
  });

/** Whether `name` is one of {@link ROLE_NAMES}. */
export function isRole(name: string): name is Role {
  return (ROLE_NAMES as readonly string[]).includes(name);
}

/** Whether `name` is one of the vocabulary's scopes. */
export function isKnownScope(name: string): name is Scope {
  return (ALL_SCOPES as readonly string[]).includes(name);
}

/**
 * The scopes a role grants.
 * @throws Error naming the known roles when `role` is not one of them.
 */
export function scopesForRole(role: string): readonly Scope[] {
  if (!isRole(role)) {
    throw new Error(
      `Unknown role "${role}". Known roles: ${ROLE_NAMES.join(', ')}.`,
    );
  }
  return ROLE_SCOPES[role];
}

/** A named policy for `@policy(policies: [[...]])`. */
export interface PolicyDefinition {
  /** What the policy means, for the access-rules documentation. */
  readonly description: string;
  /** Whether a caller holding `scopes` satisfies the policy. */
  readonly test: (scopes: ReadonlySet<string>) => boolean;
}

/** Every department's staff scope. */
const STAFF_SCOPES: readonly Scope[] = [
  Scope.MOBILITY_STAFF,
  Scope.ENVIRONMENT_STAFF,
  Scope.ECONOMY_STAFF,
  Scope.ENGAGEMENT_STAFF,
];

/**
 * The policy table: the names schemas use in `@policy`, with their predicate.
 * A policy name missing here is never satisfied (fail closed).
 */
export const POLICIES: Readonly<Record<string, PolicyDefinition>> =
  Object.freeze({
    'city-staff': {
      description: 'Staff of any city department (any `<department>:staff`).',
      test: (scopes) => STAFF_SCOPES.some((scope) => scopes.has(scope)),
    },
    'pii-access': {
      description: "Cleared for citizens' personal data (`engagement:pii`).",
      test: (scopes) => scopes.has(Scope.ENGAGEMENT_PII),
    },
    'traffic-control': {
      description:
        'May see and change traffic-light control (`mobility:control`).',
      test: (scopes) => scopes.has(Scope.MOBILITY_CONTROL),
    },
    auditor: {
      description: 'Reads access rules and the audit trail (`audit:read`).',
      test: (scopes) => scopes.has(Scope.AUDIT_READ),
    },
  });

/** The names of the policies a caller holding `scopes` satisfies. */
export function policiesForScopes(scopes: Iterable<string>): Set<string> {
  const held = new Set(scopes);
  const satisfied = new Set<string>();
  for (const [name, policy] of Object.entries(POLICIES)) {
    if (policy.test(held)) satisfied.add(name);
  }
  return satisfied;
}

/**
 * The purposes for which personal data may be read (GDPR art. 5(1)(b),
 * purpose limitation): a caller reading a field tagged `personal-data`
 * declares one in the {@link PURPOSE_HEADER} request header, and it must be
 * one of its role's ({@link ROLE_PURPOSES}); see docs/access-control.md and
 * docs/decisions/0015-purpose-declared-per-request.md.
 */
export const Purpose = {
  /** Answering or following up a citizen report with the person who filed it. */
  REPORT_FOLLOW_UP: 'report-follow-up',
  /** Organising a workshop with its participants (reminders, changes, cancellations). */
  WORKSHOP_ORGANISATION: 'workshop-organisation',
  /** Handling a citizen's own request about their data (access, rectification, erasure). */
  DATA_SUBJECT_REQUEST: 'data-subject-request',
  /** Auditing who accessed what (the audit trail names callers and data subjects). */
  AUDIT: 'audit',
} as const;

/** One purpose of the vocabulary {@link Purpose}. */
export type Purpose = (typeof Purpose)[keyof typeof Purpose];

/** What each purpose means, for the rules table and the audit trail. */
export const PURPOSE_DESCRIPTIONS: Readonly<Record<Purpose, string>> =
  Object.freeze({
    'report-follow-up':
      'Answering or following up a citizen report with the person who filed it.',
    'workshop-organisation':
      'Organising a workshop with its participants (reminders, changes, cancellations).',
    'data-subject-request':
      "Handling a citizen's own request about their data (access, rectification, erasure).",
    audit:
      'Auditing who accessed what (the audit trail names callers and data subjects).',
  });

/** The request header in which a caller declares the purpose of its request. */
export const PURPOSE_HEADER = 'x-data-purpose';

/** The purposes each role may declare (see {@link Purpose}). */
export const ROLE_PURPOSES: Readonly<Record<Role, readonly Purpose[]>> =
  Object.freeze({
    public: [],
    citizen: [],
    'mobility-staff': [],
    'environment-staff': [],
    'economy-staff': [],
    'engagement-staff': [
      Purpose.REPORT_FOLLOW_UP,
      Purpose.WORKSHOP_ORGANISATION,
      Purpose.DATA_SUBJECT_REQUEST,
    ],
    auditor: [Purpose.AUDIT],
    'mobility-ingest': [],
    'environment-ingest': [],
    'economy-ingest': [],
    'engagement-ingest': [],
    admin: Object.values(Purpose),
  });

/**
 * The purposes a caller holding `scopes` may declare: those of every role
 * whose scopes it holds all of (tokens carry scopes, not role names).
 */
export function purposesForScopes(scopes: ReadonlySet<string>): Set<Purpose> {
  const purposes = new Set<Purpose>();
  for (const role of ROLE_NAMES) {
    const granted = ROLE_SCOPES[role];
    if (granted.length === 0 || !granted.every((scope) => scopes.has(scope)))
      continue;
    for (const purpose of ROLE_PURPOSES[role]) purposes.add(purpose);
  }
  return purposes;
}
