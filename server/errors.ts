/**
 * The one error type. Domain code throws AppError with a code; the HTTP layer and the realtime
 * gateway both turn it into a response through toErrorBody / HTTP_STATUS. Anything else thrown is
 * unexpected: logged with its cause and reported as `internal` without details.
 */
import type { ErrorCode, ErrorBody } from '../protocol/errorCodes.js';

export const HTTP_STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 400,
  payload_too_large: 413,
  unauthorized: 401,
  forbidden: 403,
  csrf_failed: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  conversation_closed: 409,
  unavailable: 503,
  storage_full: 503,
  internal: 500,
};

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
  get status(): number {
    return HTTP_STATUS[this.code];
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);

/** Normalises anything thrown into an AppError; `unexpected` is true when it must be logged as a bug. */
export function toAppError(err: unknown): { error: AppError; unexpected: boolean } {
  if (err instanceof AppError) return { error: err, unexpected: false };
  if (isStorageFull(err)) return { error: new AppError('storage_full', 'storage is full: nothing was stored; retry later'), unexpected: false };
  if (isUnavailable(err)) return { error: new AppError('unavailable', 'storage is temporarily unavailable; retry shortly'), unexpected: false };
  return { error: new AppError('internal', 'Internal error'), unexpected: true };
}

/** Socket-level codes (Node), PostgreSQL connection/shutdown classes (08, 57P0x, 53300) and SQLite lock timeouts. */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', '57P01', '57P02', '57P03', '53300', 'SQLITE_BUSY']);
const UNAVAILABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly|the database system is (starting up|shutting down|in recovery mode)/i;

/**
 * The one place that decides a failure is "the database (or another backing service) is not
 * reachable right now" rather than a bug: the client gets `unavailable` (HTTP 503, or an error
 * frame with the clientId so the send stays in its outbox) and retries.
 */
export function isUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) return true;
    if (e instanceof AggregateError && e.errors.some((x) => isUnavailable(x))) return true;
  }
  return false;
}

/** SQLite's "database or disk is full", Node's ENOSPC/EDQUOT, PostgreSQL's disk_full (53100): see storage/storageHealth.ts. */
const FULL_CODES = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT', '53100']);
const FULL_MESSAGES = /database or disk is full|No space left on device|could not extend file/i;

export function isStorageFull(err: unknown): boolean {
  for (let e = err, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && FULL_CODES.has(code)) return true;
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && FULL_MESSAGES.test(message)) return true;
  }
  return false;
}

/**
 * What kind of storage failure this is, for the `parley_storage_errors_total{kind}` metric:
 * `full` (disk full), `unavailable` (the database is not reachable now), `constraint` (a unique or
 * other constraint refused the write — also how retried sends find their stored message), `other`.
 */
export function storageErrorKind(err: unknown): 'full' | 'unavailable' | 'constraint' | 'other' {
  if (isStorageFull(err)) return 'full';
  if (isUnavailable(err)) return 'unavailable';
  for (let e = err, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('SQLITE_CONSTRAINT') || /^23[0-9A-Z]{3}$/.test(code))) return 'constraint';
  }
  return 'other';
}

export function toErrorBody(err: AppError): ErrorBody {
  return { error: { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) } };
}
