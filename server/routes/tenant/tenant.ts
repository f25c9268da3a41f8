import type { FastifyInstance } from 'fastify';
import type { EmbedSnippet } from '../../../protocol/http.js';
import type { Ctx } from '../../context.js';
import type { AgentSessions } from '../../commands/agentSessions.js';
import { AppError } from '../../errors.js';
import { requireAuth } from '../auth/requireAuth.js';
import type { PublicFiles } from '../assets/publicFiles.js';

/** The one script tag a tenant puts on its pages: versioned URL, pinned by SRI, no credentials. */
export function embedSnippet(publicUrl: string, files: PublicFiles, widgetKey: string): EmbedSnippet {
  const version = files.loaderVersion();
  const found = files.get('widget/loader.js');
  if (!version || !found || 'tampered' in found) throw new AppError('unavailable', 'the widget loader is not built or failed its integrity check');
  const loaderUrl = `${publicUrl}/widget/v/${version}/loader.js`;
  const snippet = `<script src="${loaderUrl}" integrity="${found.file.integrity}" crossorigin="anonymous" data-parley-key="${widgetKey}" async></script>`;
  return { loaderUrl, integrity: found.file.integrity, snippet };
}

export function tenantRoutes(app: FastifyInstance, ctx: Ctx, sessions: AgentSessions, files: PublicFiles): void {
  app.get('/api/tenant/embed', { preHandler: requireAuth(ctx, sessions, 'content:read') }, async (req) => {
    const tenant = await ctx.storage.db.selectFrom('tenants').select(['widget_key']).where('id', '=', req.agent.tenant_id).executeTakeFirstOrThrow();
    return embedSnippet(ctx.env.publicUrl, files, tenant.widget_key);
  });
}
