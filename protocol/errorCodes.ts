/**
 * Every error Parley reports has one of these codes, over HTTP ({ error: { code, message } })
 * and over WebSocket ({ type: 'error', code, message }). server/errors.ts maps them to statuses.
 */
export const ERROR_CODES = [
  'bad_request',
  'validation_failed',
  'payload_too_large',
  'unauthorized',
  'forbidden',
  'csrf_failed',
  'not_found',
  'conflict',
  'rate_limited',
  'conversation_closed',
  'unavailable',
  /** Storage (the node's disk, or PostgreSQL's) is full: nothing was stored; retry later, like `unavailable`. */
  'storage_full',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}
