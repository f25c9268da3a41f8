/** Limits shared by server and clients. One place, so the widget, the console and the server agree. */
export const LIMITS = {
  /** Largest WebSocket frame a node accepts; larger frames close the socket with CLOSE.TOO_BIG. */
  maxFrameBytes: 16 * 1024,
  /** Longest message body in characters (after trimming). */
  maxMessageChars: 4000,
  /** Client-chosen message ids: short opaque strings. */
  maxClientIdChars: 64,
  /** Largest JSON HTTP body. */
  maxHttpBodyBytes: 64 * 1024,
  /** A socket must say hello within this time or it is closed. */
  helloTimeoutMs: 5000,
  /** Server pings every interval; a socket silent for two intervals is closed. */
  heartbeatIntervalMs: 25_000,
  /** Messages returned per history page. */
  historyPageSize: 200,
  /** Frames one socket may send per second before being throttled. */
  framesPerSecond: 20,
  /** Bytes queued to one socket before it is treated as a slow consumer and closed. */
  maxBufferedBytes: 1024 * 1024,
} as const;
