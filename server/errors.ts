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
  return { error: new AppError('internal', 'Internal error'), unexpected: true };
}

export function toErrorBody(err: AppError): ErrorBody {
  return { error: { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) } };
}
