/**
 * Turns a jose verification failure into a short, non-leaky reason for
 * clients ("expired", "wrong issuer", ...). The token, its claims and key
 * material never appear in the reason.
 */
import { errors } from 'jose';

/**
 * A short reason why a JWT was refused, safe to send to the caller
 * (e.g. `expired`, `wrong audience`, `signature verification failed`).
 */
export function describeJwtError(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return `missing ${error.claim} claim`;
    switch (error.claim) {
      case 'iss':
        return 'wrong issuer';
      case 'aud':
        return 'wrong audience';
      case 'nbf':
        return 'not yet valid';
      case 'iat':
        return 'issued in the future';
      case 'typ':
        return 'wrong token type';
      default:
        return `invalid ${error.claim} claim`;
    }
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return 'signature verification failed';
  }
  if (error instanceof errors.JWKSNoMatchingKey) return 'unknown signing key';
  if (error instanceof errors.JWKSMultipleMatchingKeys) {
    return 'ambiguous signing key';
  }
  if (
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid
  ) {
    return 'signing keys unavailable';
  }
  if (error instanceof errors.JOSENotSupported)
    return 'unsupported algorithm or key';
  if (
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid
  ) {
    return 'malformed';
  }
  return 'verification failed';
}
