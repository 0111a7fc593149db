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

/** Driver errors that say the database or Redis could not be reached (by name: no driver import here). */
const UNREACHABLE = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoNotConnectedError',
  'MongoPoolClearedError',
  'MongoTopologyClosedError',
  'MaxRetriesPerRequestError',
]);
const UNREACHABLE_SYSCALLS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTCONN']);

/**
 * True when the error says a backing service could not be reached, so the same request may
 * succeed later unchanged (the clients retry `unavailable`); anything else is a fault of ours
 * that a retry would only repeat.
 */
export function isUnreachable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const e = err as { name?: unknown; code?: unknown; message?: unknown; errorLabels?: unknown; cause?: unknown };
  if (typeof e.name === 'string' && UNREACHABLE.has(e.name)) return true;
  if (typeof e.code === 'string' && UNREACHABLE_SYSCALLS.has(e.code)) return true;
  if (Array.isArray(e.errorLabels) && (e.errorLabels.includes('ResetPool') || e.errorLabels.includes('RetryableWriteError'))) return true;
  // mongoose queues operations while disconnected and fails them after `bufferTimeoutMS`.
  if (typeof e.message === 'string' && /buffering timed out|Connection is closed|connection .* closed/i.test(e.message)) return true;
  return isUnreachable(e.cause, depth + 1);
}

/**
 * Any thrown value as the contract's error body: a backing service out of reach becomes
 * `unavailable` (retried by clients), any other unknown error `internal` (not retried).
 */
export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof DomainError) {
    const body: ErrorBody = { error: { code: err.code, message: err.message } };
    if (err.retryAfter !== undefined) body.error.retryAfter = err.retryAfter;
    return body;
  }
  if (isUnreachable(err)) return { error: { code: 'unavailable', message: 'Temporarily unavailable, try again' } };
  return { error: { code: 'internal', message: 'Something went wrong on our side; it has been logged' } };
}
