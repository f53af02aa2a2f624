/**
 * Errors as the NGSI-LD API (ETSI GS CIM 009, clause 5.5.2) and the
 * NGSI-v2 API answer them: ProblemDetails (RFC 7807) with the ETSI error
 * type URIs, and v2's `{ error, description }`.
 */
import type { RejectionReason } from './quality.js';
import { REJECTION_REASONS } from './quality.js';

const ETSI = 'https://uri.etsi.org/ngsi-ld/errors/';

/** The ETSI NGSI-LD error types. */
export const NgsiLdErrorType = {
  InvalidRequest: `${ETSI}InvalidRequest`,
  BadRequestData: `${ETSI}BadRequestData`,
  AlreadyExists: `${ETSI}AlreadyExists`,
  OperationNotSupported: `${ETSI}OperationNotSupported`,
  ResourceNotFound: `${ETSI}ResourceNotFound`,
  InternalError: `${ETSI}InternalError`,
  TooComplexQuery: `${ETSI}TooComplexQuery`,
  TooManyResults: `${ETSI}TooManyResults`,
  LdContextNotAvailable: `${ETSI}LdContextNotAvailable`,
} as const;

/**
 * Refusals of the caller, for which ETSI defines no type (the API leaves
 * authorization to the deployment): the city's own URNs, documented in
 * docs/ingestion.md.
 */
export const CityErrorType = {
  Unauthorized: 'urn:marseille:ngsi-ld:errors:Unauthorized',
  Forbidden: 'urn:marseille:ngsi-ld:errors:Forbidden',
  ServiceUnavailable: 'urn:marseille:ngsi-ld:errors:ServiceUnavailable',
} as const;

/** A ProblemDetails body. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  /** The city's reason code (e.g. `UNKNOWN_DEVICE`), an extension member. */
  readonly code?: string;
}

/** The ProblemDetails of a rejected entity. */
export function rejectionProblem(
  reason: RejectionReason,
  detail: string,
): ProblemDetails {
  const type =
    reason === 'FORBIDDEN'
      ? CityErrorType.Forbidden
      : reason === 'UNKNOWN_TYPE'
        ? NgsiLdErrorType.OperationNotSupported
        : reason === 'MALFORMED_ENTITY'
          ? NgsiLdErrorType.InvalidRequest
          : NgsiLdErrorType.BadRequestData;
  return { type, title: REJECTION_REASONS[reason], detail, code: reason };
}
