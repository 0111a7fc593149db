// Typed errors: one class per contract error code, plus the failures that never reached the
// server (network, timeout) and the use of a closed client. `instanceof` works on all of them;
// `code` is the contract's code (or `network` / `timeout` / `closed`).
import type { ErrorBody, ErrorCode } from './protocol';

export type CharchaErrorCode = ErrorCode | 'network' | 'timeout' | 'closed';

export class CharchaError extends Error {
  readonly code: CharchaErrorCode;
  /** HTTP status, when the error came over HTTP. */
  readonly status?: number;
  /** Seconds to wait before trying again (rate limits, sometimes `unavailable`). */
  readonly retryAfter?: number;

  constructor(code: CharchaErrorCode, message: string, opts: { status?: number; retryAfter?: number; cause?: unknown } = {}) {
    super(message);
    this.name = 'CharchaError';
    this.code = code;
    if (opts.status !== undefined) this.status = opts.status;
    if (opts.retryAfter !== undefined) this.retryAfter = opts.retryAfter;
    if (opts.cause !== undefined) (this as { cause?: unknown }).cause = opts.cause;
  }

  /** True when the same request may succeed later unchanged. */
  get transient(): boolean {
    return this.code === 'network' || this.code === 'timeout' || this.code === 'unavailable' || this.code === 'rate_limited';
  }
}

type Opts = ConstructorParameters<typeof CharchaError>[2];

/** The request was malformed or refused on its content (`bad_request`, and `too_large`). */
export class ValidationError extends CharchaError {
  constructor(message: string, opts?: Opts, code: 'bad_request' | 'too_large' = 'bad_request') {
    super(code, message, opts);
    this.name = 'ValidationError';
  }
}
/** The body is longer than the site allows (`too_large`); also a ValidationError. */
export class TooLargeError extends ValidationError {
  constructor(message: string, opts?: Opts) {
    super(message, opts, 'too_large');
    this.name = 'TooLargeError';
  }
}
/** No valid token: missing, expired and not refreshable, or invalid (`unauthorized`). */
export class UnauthorizedError extends CharchaError {
  constructor(message: string, opts?: Opts) {
    super('unauthorized', message, opts);
    this.name = 'UnauthorizedError';
  }
}
/** Signed in but not allowed: not the author, banned, not a moderator (`forbidden`). */
export class ForbiddenError extends CharchaError {
  constructor(message: string, opts?: Opts) {
    super('forbidden', message, opts);
    this.name = 'ForbiddenError';
  }
}
export class NotFoundError extends CharchaError {
  constructor(message: string, opts?: Opts) {
    super('not_found', message, opts);
    this.name = 'NotFoundError';
  }
}
/** Someone else got there first, e.g. another moderator's decision (`conflict`). */
export class ConflictError extends CharchaError {
  constructor(message: string, opts?: Opts) {
    super('conflict', message, opts);
    this.name = 'ConflictError';
  }
}
/** Comments on the article are closed (`locked`). */
export class LockedError extends CharchaError {
  constructor(message: string, opts?: Opts) {
    super('locked', message, opts);
    this.name = 'LockedError';
  }
}
/** Too many requests; `retryAfter` says how many seconds to wait (`rate_limited`). */
export class RateLimitedError extends CharchaError {
  declare readonly retryAfter: number;
  constructor(message: string, opts?: Opts) {
    super('rate_limited', message, { ...opts, retryAfter: opts?.retryAfter ?? 1 });
    this.name = 'RateLimitedError';
  }
}
/** The server could not answer now (`unavailable`, HTTP 503 or 5xx). */
export class UnavailableError extends CharchaError {
  constructor(message: string, opts?: Opts) {
    super('unavailable', message, opts);
    this.name = 'UnavailableError';
  }
}
/** A fault on the server's side (`internal`, HTTP 500): sending the same request again would repeat it. */
export class InternalError extends CharchaError {
  constructor(message: string, opts?: Opts) {
    super('internal', message, opts);
    this.name = 'InternalError';
  }
}
/** The request never got an answer: offline, connection cut, server down. */
export class NetworkError extends CharchaError {
  constructor(message: string, opts?: Opts, code: 'network' | 'timeout' = 'network') {
    super(code, message, opts);
    this.name = 'NetworkError';
  }
}
/** No answer within the time allowed; also a NetworkError. */
export class TimeoutError extends NetworkError {
  constructor(message: string, opts?: Opts) {
    super(message, opts, 'timeout');
    this.name = 'TimeoutError';
  }
}
/** The client or thread was closed. */
export class ClosedError extends CharchaError {
  constructor(message = 'Closed') {
    super('closed', message);
    this.name = 'ClosedError';
  }
}

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'too_large',
  423: 'locked',
  429: 'rate_limited',
  500: 'internal',
};

/** The typed error for a contract error code. */
export function errorFor(code: ErrorCode | string, message: string, opts: Opts = {}): CharchaError {
  switch (code) {
    case 'bad_request': return new ValidationError(message, opts);
    case 'too_large': return new TooLargeError(message, opts);
    case 'unauthorized': return new UnauthorizedError(message, opts);
    case 'forbidden': return new ForbiddenError(message, opts);
    case 'not_found': return new NotFoundError(message, opts);
    case 'conflict': return new ConflictError(message, opts);
    case 'locked': return new LockedError(message, opts);
    case 'rate_limited': return new RateLimitedError(message, opts);
    case 'internal': return new InternalError(message, opts);
    default: return new UnavailableError(message, opts);
  }
}

export function isErrorBody(x: unknown): x is ErrorBody {
  if (!x || typeof x !== 'object') return false;
  const e = (x as { error?: unknown }).error;
  return !!e && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string';
}

/** The typed error for an error body (socket ack or HTTP answer). */
export function errorFromBody(body: unknown, status?: number, retryAfterHeader?: string | null): CharchaError {
  const header = retryAfterHeader ? Number(retryAfterHeader) : NaN;
  if (isErrorBody(body)) {
    const { code, message, retryAfter } = body.error;
    const after = typeof retryAfter === 'number' ? retryAfter : Number.isFinite(header) ? header : undefined;
    return errorFor(code, message || code, { status, retryAfter: after });
  }
  const code = (status && STATUS_CODES[status]) || 'unavailable';
  return errorFor(code, status ? `HTTP ${status}` : 'Unexpected answer', {
    status,
    retryAfter: Number.isFinite(header) ? header : undefined,
  });
}

/** Any thrown value as a CharchaError (network failures of fetch included). */
export function asCharchaError(err: unknown): CharchaError {
  if (err instanceof CharchaError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new NetworkError(message || 'Network error', { cause: err });
}
