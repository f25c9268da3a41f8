/**
 * Platform operator: lists and creates tenants. An operator is an agent listed in
 * platform_operators (granted with `parley operator:grant`); the check is here, not by role, because
 * tenant admins must never see other tenants.
 */
import type { FastifyInstance } from 'fastify';
import { PageQuery, Paged, TenantAdminView, TenantCreateBody, TenantCreated, type TenantCreateBody as Body } from '../../../protocol/admin.js';
import type { Ctx } from '../../context.js';
import { AppError } from '../../errors.js';
import { createTenantAsOperator } from '../../commands/operatorTenantCreator.js';
import { isOperator, listTenants } from '../../queries/adminQueries.js';
import type { ApiOp } from '../api/apiRoute.js';
import { withAuthSpec } from '../auth/authSpec.js';
import type { FastifyRequest } from 'fastify';

export function operatorRoutes(app: FastifyInstance, ctx: Ctx, op: ApiOp): void {
  const db = ctx.storage.db;
  // Sessions only: API keys belong to one tenant and never act platform-wide.
  const reason = 'act platform-wide (a key belongs to one tenant; platform operators sign in)';
  const mustBeOperator = withAuthSpec(
    async (req: FastifyRequest) => {
      if (req.principal.via !== 'session') throw new AppError('forbidden', `This route needs the console session: API keys cannot ${reason}`);
      if (!(await isOperator(db, req.principal.agent.id))) throw new AppError('forbidden', 'platform operators only');
    },
    { kind: 'session', reason },
  );
  const opr = (summary: string, parts: Omit<Parameters<ApiOp>[2], 'summary'>) => {
    const o = op('operator', null, { summary, ...parts });
    return { ...o, preHandler: [o.preHandler as never, mustBeOperator] };
  };
  app.get('/api/operator/tenants', opr('List every tenant (platform operator)', { querystring: PageQuery, response: Paged(TenantAdminView) }), async (req) =>
    listTenants(db, req.query as { limit?: number; cursor?: string }),
  );
  app.post('/api/operator/tenants', opr('Create a tenant and invite its first admin (platform operator)', { body: TenantCreateBody, response: TenantCreated, status: 201 }), async (req, reply) =>
    reply.code(201).send(await createTenantAsOperator(ctx, req.body as Body, req.principal.audit)),
  );
}
