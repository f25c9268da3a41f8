/**
 * WebSocket close codes Parley uses. 1000-1015 are the standard ones; 4000-4999 are ours.
 * Clients reconnect after every code except those listed in CLOSE_FINAL.
 */
export const CLOSE = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  /** Frame was not valid JSON or not a known envelope, repeatedly. */
  PROTOCOL_ERROR: 1002,
  /** Frame larger than LIMITS.maxFrameBytes. */
  TOO_BIG: 1009,
  /** Unexpected server failure; the client should reconnect. */
  INTERNAL: 1011,
  /** No hello within LIMITS.helloTimeoutMs. */
  HELLO_TIMEOUT: 4000,
  /** Missing, invalid or expired credentials. */
  UNAUTHORIZED: 4001,
  /** Credentials valid but not allowed here (origin, tenant disabled). */
  FORBIDDEN: 4003,
  /** No pong for two heartbeat intervals. */
  HEARTBEAT_TIMEOUT: 4004,
  /** The same session opened elsewhere or was revoked. */
  REPLACED: 4005,
  /** Too many frames; reconnect after a pause. */
  RATE_LIMITED: 4008,
  /** Outgoing buffer over LIMITS.maxBufferedBytes for longer than LIMITS.slowConsumerGraceMs, or over LIMITS.maxBufferedBurstBytes. */
  SLOW_CONSUMER: 4009,
  /** Live events were interrupted on the server (event bus reconnected): reconnect and resume by seq. */
  RESUME: 4010,
} as const;

export type CloseCode = (typeof CLOSE)[keyof typeof CLOSE];

/** After these the client must not reconnect on its own (it needs new credentials). */
export const CLOSE_FINAL: readonly number[] = [CLOSE.UNAUTHORIZED, CLOSE.FORBIDDEN];
