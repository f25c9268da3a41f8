import type { FastifyInstance } from 'fastify';
import type { EmbedSnippet } from '../../../protocol/http.js';
import type { Ctx } from '../../context.js';
import type { AgentSessions } from '../../commands/agentSessions.js';
import { AppError } from '../../errors.js';
import { requireAuth } from '../auth/requireAuth.js';
import type { PublicFiles } from '../../security/publicFiles.js';

/**
 * The one script tag a tenant puts on its pages: versioned URL, pinned by SRI, no credentials. It
 * carries the launcher's colour and side (the loader fetches nothing, so it cannot look them up);
 * other placement attributes and the window.Parley commands are in docs/SECURITY.md.
 */
export function embedSnippet(publicUrl: string, files: PublicFiles, widgetKey: string, look: { brandColor?: string; position?: string } = {}): EmbedSnippet {
  const version = files.loaderVersion();
  const found = files.get('widget/loader.js');
  if (!version || !found || 'tampered' in found) throw new AppError('unavailable', 'the widget loader is not built or failed its integrity check');
  const loaderUrl = `${publicUrl}/widget/v/${version}/loader.js`;
  const color = look.brandColor && /^#[0-9a-f]{3,8}$/i.test(look.brandColor) ? ` data-parley-color="${look.brandColor}"` : '';
  const side = look.position === 'left' ? ' data-parley-position="left"' : '';
  const snippet = `<script src="${loaderUrl}" integrity="${found.file.integrity}" crossorigin="anonymous" data-parley-key="${widgetKey}"${color}${side} async></script>`;
  return { loaderUrl, integrity: found.file.integrity, snippet };
}

export function tenantRoutes(app: FastifyInstance, ctx: Ctx, sessions: AgentSessions, files: PublicFiles): void {
  app.get('/api/tenant/embed', { preHandler: requireAuth(ctx, sessions, 'content:read') }, async (req) => {
    const tenant = await ctx.storage.db.selectFrom('tenants').select(['widget_key', 'brand_color', 'position']).where('id', '=', req.agent.tenant_id).executeTakeFirstOrThrow();
    return embedSnippet(ctx.env.publicUrl, files, tenant.widget_key, { brandColor: tenant.brand_color, position: tenant.position });
  });
}
