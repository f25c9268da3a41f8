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
  /**
   * Slow consumers (closed with CLOSE.SLOW_CONSUMER): a socket may have more than maxBufferedBytes
   * queued for at most slowConsumerGraceMs, and never more than maxBufferedBurstBytes. A client that
   * reads but falls behind for a moment at peak load (a busy agent console) keeps its socket; one that
   * stops reading is cut within seconds, its memory bounded. (Redis's soft and hard output limits.)
   */
  maxBufferedBytes: 1024 * 1024,
  slowConsumerGraceMs: 5_000,
  maxBufferedBurstBytes: 4 * 1024 * 1024,
  /**
   * Abuse limits per minute (fixed windows, per node). Over a connection limit the socket gets an
   * `error` frame with code `rate_limited` and is closed with CLOSE.RATE_LIMITED; over a message
   * limit the send gets an `error` frame with code `rate_limited` and its clientId (retry later).
   * Over the session limit, POST /api/widget/session answers 429 with code `rate_limited`.
   * Operators can change them with the RATE_LIMITS variable (see the README).
   */
  rate: {
    connectionsPerAddress: 300,
    connectionsPerVisitor: 30,
    connectionsPerTenant: 20_000,
    messagesPerAddress: 600,
    messagesPerVisitor: 60,
    messagesPerTenant: 60_000,
    /** Visitor sessions (POST /api/widget/session, each a new visitor) one address may start; over it: HTTP 429. */
    sessionsPerAddress: 300,
    /** Proactive-message asks and reports (POST /api/widget/proactive…) one address may send; over it: HTTP 429. */
    proactivePerAddress: 300,
  },
} as const;
