import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Env } from '../../env.js';
import { AppError } from '../../errors.js';
import type { PublicFiles } from '../../security/publicFiles.js';

/** Console pages may not be framed by anyone and load nothing but Parley's own files. */
export function consoleCsp(env: Env): string {
  const ws = env.publicOrigin.replace(/^http/, 'ws');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${ws}`,
    "base-uri 'none'",
    "form-action 'self'",
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function sendFile(reply: FastifyReply, files: PublicFiles, path: string, cache: 'immutable' | 'revalidate'): FastifyReply {
  const found = files.get(path);
  if (!found) throw new AppError('not_found', 'file not found');
  if ('tampered' in found) throw new AppError('unavailable', 'file failed its integrity check and is not served');
  return reply
    .header('content-type', found.file.type)
    .header('cache-control', cache === 'immutable' ? 'public, max-age=31536000, immutable' : 'no-cache')
    .header('x-content-type-options', 'nosniff')
    .send(found.file.body);
}

export function assetRoutes(app: FastifyInstance, env: Env, files: PublicFiles): void {
  app.get('/', (_req, reply) => reply.redirect('/console/'));

  // The signed, hash-chained release log shipped with this build (server/security/release.ts).
  app.get('/.well-known/parley-releases.json', (_req, reply) => {
    if (!files.releaseLog) throw new AppError('not_found', 'this build has no release log');
    return reply
      .header('content-type', 'application/json')
      .header('cache-control', 'no-cache')
      .header('access-control-allow-origin', '*')
      .send(files.releaseLog);
  });
  app.get('/console', (_req, reply) => reply.redirect('/console/'));

  // Hashed build assets never change under the same name.
  app.get('/console/assets/*', (req, reply) => sendFile(reply, files, 'console/assets/' + (req.params as { '*': string })['*'], 'immutable'));
  app.get('/widget/frame/assets/*', (req, reply) => sendFile(reply, files, 'widget/frame/assets/' + (req.params as { '*': string })['*'], 'immutable'));

  // The console is a single-page app: every other /console/ path is its index.
  app.get('/console/*', (_req, reply) =>
    sendFile(reply.header('content-security-policy', consoleCsp(env)).header('referrer-policy', 'same-origin'), files, 'console/index.html', 'revalidate'),
  );

  // The loader's URL carries its hash, so it is immutable, and it is what the embed snippet's SRI pins.
  app.get('/widget/v/:version/loader.js', (req, reply) => {
    // Errors too: without them the tenant's page sees a CORS failure, not the status.
    reply
      .header('access-control-allow-origin', '*') // needed for crossorigin="anonymous" + SRI on tenants' pages
      .header('cross-origin-resource-policy', 'cross-origin');
    // A loader refused at boot (changed on disk, or an untrusted release) has no version to compare
    // with: whatever version a tenant's page asks for, the answer is 503, as docs/SECURITY.md says.
    const found = files.get('widget/loader.js');
    if (found && 'tampered' in found) throw new AppError('unavailable', 'file failed its integrity check and is not served');
    if ((req.params as { version: string }).version !== files.loaderVersion()) throw new AppError('not_found', 'no loader with this version');
    return sendFile(reply, files, 'widget/loader.js', 'immutable');
  });
}
