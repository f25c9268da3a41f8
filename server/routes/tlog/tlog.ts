/**
 * The transparency logs, as static-style resources anyone can fetch (CORS *):
 *   GET /tlog/releases/checkpoint            signed checkpoint (+ witness cosignatures), short-lived
 *   GET /tlog/releases/tile/<L>/<N>[.p/<W>]  c2sp.org/tlog-tiles hash tiles, immutable
 *   GET /tlog/releases/tile/entries/<N>…     entry bundles (the release log entries), immutable
 *   GET /tlog/releases/current.tlog-proof    c2sp.org/tlog-proof of the release this node serves
 *   GET /tlog/releases/loader                where this release's loader is served
 *   GET /tlog/audit/checkpoint               the access audit log's latest signed checkpoint
 * The audit log's entries and tiles are never served: they name tenants' visitors.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../../errors.js';
import type { Transparency } from '../../security/transparency.js';
import type { PublicFiles } from '../../security/publicFiles.js';

const TEXT = 'text/plain; charset=utf-8';

function send(reply: FastifyReply, type: string, cache: 'short' | 'immutable', body: string | Buffer): FastifyReply {
  return reply
    .header('content-type', type)
    .header('cache-control', cache === 'immutable' ? 'public, max-age=31536000, immutable' : 'public, max-age=5, must-revalidate')
    .header('access-control-allow-origin', '*')
    .send(body);
}

export function tlogRoutes(app: FastifyInstance, files: PublicFiles, transparency: Transparency): void {
  const release = () => {
    if (!files.transparency) throw new AppError('not_found', 'this node serves no release transparency log');
    return files.transparency;
  };
  app.get('/tlog/releases/checkpoint', (_req, reply) => {
    release();
    return send(reply, TEXT, 'short', transparency.releaseCheckpoint()!);
  });
  app.get('/tlog/releases/current.tlog-proof', (_req, reply) => send(reply, TEXT, 'short', release().proofFile(transparency.releaseCheckpoint()!)));
  // Where the loader of this release is (its URL carries a hash of its bytes), for release:verify.
  app.get('/tlog/releases/loader', (_req, reply) => {
    const version = files.loaderVersion();
    if (!version) throw new AppError('not_found', 'this node serves no loader');
    return send(reply, TEXT, 'short', `/widget/v/${version}/loader.js\n`);
  });
  app.get('/tlog/releases/tile/*', (req, reply) => {
    const tile = release().tile('tile/' + (req.params as { '*': string })['*']);
    if (!tile) throw new AppError('not_found', 'no such tile in this tree');
    return send(reply, 'application/octet-stream', 'immutable', tile);
  });
  app.get('/tlog/audit/checkpoint', (_req, reply) => {
    const note = transparency.audit.checkpoint();
    if (!note) throw new AppError('not_found', 'no audit checkpoint yet');
    return send(reply, TEXT, 'short', note);
  });
}
