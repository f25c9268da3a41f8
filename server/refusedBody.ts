/**
 * A refused request's body is read to its end (and thrown away) before the refusal is sent: a body
 * over its route's limit (413), of a type the route does not take (a multipart form posted to a raw
 * upload), or sent to a route that refuses before reading it (auth, not found).
 *
 * Why: Fastify answers "413, Connection: close" as soon as it knows the body is too large (at once
 * from Content-Length, or when a chunked body passes the limit) and the socket is then closed with
 * the rest of the upload unread. A kernel closing a socket with unread data sends a TCP reset, and
 * a client still sending (a browser's fetch, or any client that writes the whole body before it
 * reads) sees "connection reset" instead of the 413: a 6 MB attachment failed as a network error
 * rather than "file too large". Reading the remainder first makes the close clean (the nginx and
 * Apache "lingering close").
 *
 * Bounded: at most DRAIN_MAX_BYTES more bytes and DRAIN_MAX_MS; a body declared larger than that is
 * answered at once (a client sending hundreds of megabytes to a 5 MB route may still see a reset).
 */
import type { IncomingMessage } from 'node:http';

export const DRAIN_MAX_BYTES = 64 * 1024 * 1024;
export const DRAIN_MAX_MS = 15_000;

/** Resolves when the refused request's body has been read to its end, or the bounds are reached. */
export function drainRefusedBody(req: IncomingMessage): Promise<void> {
  const declared = Number(req.headers['content-length']);
  const hasBody = req.headers['transfer-encoding'] !== undefined || declared > 0;
  if (!hasBody || req.readableEnded || req.destroyed || declared > DRAIN_MAX_BYTES) return Promise.resolve();
  return new Promise((resolve) => {
    let drained = 0;
    const done = () => {
      clearTimeout(timer);
      req.off('data', onData).off('end', done).off('error', done).off('close', done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > DRAIN_MAX_BYTES) done();
    };
    const timer = setTimeout(done, DRAIN_MAX_MS);
    timer.unref();
    req.on('data', onData).on('end', done).on('error', done).on('close', done);
    req.resume();
  });
}
