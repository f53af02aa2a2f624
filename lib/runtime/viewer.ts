/**
 * Who is asking: the identity the gateway verified and forwards to subgraphs.
 */

/** The caller of one request, as the gateway verified it. */
export interface Viewer {
  /** The `sub` claim of the caller's token; `null` for anonymous requests. */
  readonly subject: string | null;
  /** Scopes granted, from the standard space-separated `scope` claim. */
  readonly scopes: ReadonlySet<string>;
  /** Named policies the caller satisfies (for `@policy`); derived from scopes at the gateway. */
  readonly policies: ReadonlySet<string>;
  /**
   * The purpose the caller declared for this request (`x-data-purpose`),
   * required to read personal data (lib/runtime/roles.ts `Purpose`).
   * @default null (none declared)
   */
  readonly purpose?: string | null;
}

/** The viewer of a request without a token: public data only. */
export const anonymousViewer: Viewer = Object.freeze({
  subject: null,
  scopes: new Set<string>(),
  policies: new Set<string>(),
});

/** Builds a viewer from a subject and a space-separated or listed set of scopes. */
export function createViewer(
  subject: string | null,
  scopes: Iterable<string> | string = [],
  policies: Iterable<string> = [],
): Viewer {
  const list =
    typeof scopes === 'string'
      ? scopes.split(/\s+/).filter(Boolean)
      : [...scopes];
  return Object.freeze({
    subject,
    scopes: new Set(list),
    policies: new Set(policies),
  });
}

/** Whether the viewer carries an identity. */
export function isAuthenticated(viewer: Viewer): boolean {
  return viewer.subject !== null;
}

/** The same viewer, with the purpose it declared for this request (or none). */
export function withPurpose(viewer: Viewer, purpose: string | null): Viewer {
  if ((viewer.purpose ?? null) === purpose) return viewer;
  return Object.freeze({ ...viewer, purpose });
}
