/**
 * SCIM 2.0 Users endpoint (`/scim/v2/Users`) for the tenant's identity provider, authenticated by the
 * tenant's SCIM bearer token (Admin → Single sign-on; only its SHA-256 is stored). Everything is
 * scoped to the token's tenant: another tenant's user is "not found". Answers and errors use the
 * SCIM media type and error schema. Failed token attempts are limited per address.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { ScimListQuery, ScimPatchBody, ScimUserBody, type ScimListQuery as ListQuery, type ScimPatchBody as PatchBody, type ScimUserBody as UserBody } from '../../../protocol/sso.js';
import type { Ctx } from '../../context.js';
import { AppError, toAppError } from '../../errors.js';
import { scimCreateUser, scimDeleteUser, scimPatchUser, scimTenant } from '../../commands/scimUsers.js';
import { presentScimUser, SCIM_ERROR_SCHEMA, SCIM_LIST_SCHEMA } from '../../presenters/scimPresenter.js';
import type { AuditActor } from '../../security/auditLog.js';
import { RateLimiter } from '../../security/rateLimiter.js';
import { assertSameTenant } from '../../policies/tenantScope.js';

const SCIM_TYPE = 'application/scim+json';
const UserParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

declare module 'fastify' {
  interface FastifyRequest {
    scimTenantId: string;
  }
}

/** `userName eq "value"`: the one filter providers need to find a user before creating it. */
export function parseScimFilter(filter: string | undefined): string | null {
  if (filter === undefined || filter.trim() === '') return null;
  const m = /^\s*userName\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$/i.exec(filter);
  if (!m) throw new AppError('validation_failed', 'only the filter userName eq "…" is supported');
  return m[1]!.replace(/\\(.)/g, '$1').trim().toLowerCase();
}

export function scimRoutes(app: FastifyInstance, ctx: Ctx): void {
  const db = ctx.storage.db;
  const failures = new RateLimiter(20, 15 * 60_000);
  void app.register(async (scim) => {
    scim.addContentTypeParser(SCIM_TYPE, { parseAs: 'string' }, scim.getDefaultJsonParser('error', 'error'));
    scim.setErrorHandler((err: Error & { validation?: Array<{ instancePath?: string; message?: string }> }, req, reply) => {
      const normalised = toAppError(err);
      const error = err.validation ? new AppError('validation_failed', `request${err.validation[0]?.instancePath ?? ''} ${err.validation[0]?.message ?? 'is invalid'}`) : normalised.error;
      if (!err.validation && normalised.unexpected) req.log.error({ err }, 'SCIM request failed');
      const scimType = error.code === 'conflict' ? { scimType: 'uniqueness' } : error.code === 'validation_failed' ? { scimType: 'invalidValue' } : {};
      return reply.code(error.status).type(SCIM_TYPE).send(JSON.stringify({ schemas: [SCIM_ERROR_SCHEMA], status: String(error.status), ...scimType, detail: error.message }));
    });
    scim.addHook('preHandler', async (req: FastifyRequest) => {
      if (failures.blocked(req.ip)) throw new AppError('rate_limited', 'too many failed SCIM token attempts; try again later');
      const m = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '');
      const tenantId = m ? await scimTenant(ctx, m[1]!) : null;
      if (!tenantId) {
        failures.hit(req.ip);
        throw new AppError('unauthorized', 'a valid SCIM bearer token is required');
      }
      req.scimTenantId = tenantId;
    });
    const actor = (req: FastifyRequest): AuditActor => ({ kind: 'system', id: null, credential: `scim:${req.scimTenantId}`, address: req.ip });
    const send = (reply: FastifyReply, status: number, body: unknown) => reply.code(status).type(SCIM_TYPE).send(JSON.stringify(body));
    const userOf = async (req: FastifyRequest) =>
      assertSameTenant({ tenantId: req.scimTenantId }, await db.selectFrom('agents').selectAll().where('id', '=', (req.params as { id: string }).id).executeTakeFirst(), 'user');
    const tags = ['scim'];

    scim.get('/scim/v2/Users', { schema: { tags, summary: 'List or find users (filter userName eq "…")', querystring: ScimListQuery } }, async (req, reply) => {
      const q = req.query as ListQuery;
      const userName = parseScimFilter(q.filter);
      let query = db.selectFrom('agents').where('tenant_id', '=', req.scimTenantId);
      if (userName !== null) query = query.where('email', '=', userName);
      const total = Number((await query.select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      const startIndex = q.startIndex ?? 1;
      const count = q.count ?? 100;
      const rows = count === 0 ? [] : await query.selectAll().orderBy('created_at').orderBy('id').offset(startIndex - 1).limit(count).execute();
      return send(reply, 200, { schemas: [SCIM_LIST_SCHEMA], totalResults: total, startIndex, itemsPerPage: rows.length, Resources: rows.map((a) => presentScimUser(a, ctx.env.publicUrl)) });
    });
    scim.post('/scim/v2/Users', { schema: { tags, summary: 'Create a user (an agent of the token\'s tenant)', body: ScimUserBody } }, async (req, reply) =>
      send(reply, 201, presentScimUser(await scimCreateUser(ctx, req.scimTenantId, req.body as UserBody, actor(req)), ctx.env.publicUrl)),
    );
    scim.get('/scim/v2/Users/:id', { schema: { tags, summary: 'Read a user', params: UserParams } }, async (req, reply) => send(reply, 200, presentScimUser(await userOf(req), ctx.env.publicUrl)));
    scim.patch('/scim/v2/Users/:id', { schema: { tags, summary: 'Deactivate/reactivate or rename a user (active=false signs the agent out)', params: UserParams, body: ScimPatchBody } }, async (req, reply) => {
      const user = await userOf(req);
      await scimPatchUser(ctx, req.scimTenantId, user.id, req.body as PatchBody, actor(req));
      return send(reply, 200, presentScimUser(await userOf(req), ctx.env.publicUrl));
    });
    scim.delete('/scim/v2/Users/:id', { schema: { tags, summary: 'Delete a user', params: UserParams } }, async (req, reply) => {
      await scimDeleteUser(ctx, req.scimTenantId, (await userOf(req)).id, actor(req));
      return reply.code(204).send();
    });
  });
}
