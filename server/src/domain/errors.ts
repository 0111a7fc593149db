// The one error type the domain throws; transports map its code to HTTP statuses or acks.
import type { ErrorBody, ErrorCode } from '../../../client-sdk/src/protocol';

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const badRequest = (m: string) => new DomainError('bad_request', m);
export const notFound = (m: string) => new DomainError('not_found', m);
export const forbidden = (m: string) => new DomainError('forbidden', m);
export const conflict = (m: string) => new DomainError('conflict', m);

/** Any thrown value as the contract's error body; unknown errors become `unavailable`. */
export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof DomainError) {
    const body: ErrorBody = { error: { code: err.code, message: err.message } };
    if (err.retryAfter !== undefined) body.error.retryAfter = err.retryAfter;
    return body;
  }
  return { error: { code: 'unavailable', message: 'Temporarily unavailable, try again' } };
}
