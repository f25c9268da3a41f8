import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { tenantBySlug, withServices } from '../withServices.js';
import { maintainKeys, reencryptTenant } from '../../security/dataLifecycle.js';
import { recordAccess } from '../../security/accessAudit.js';

export const keysRotate: Command = {
  name: 'keys:rotate',
  summary: 'Rotate tenant data keys (new version for new writes; old versions keep decrypting)',
  help: `Usage: parley keys:rotate (--tenant SLUG | --all) [--reencrypt]

Creates a new data-key version for the tenant(s). Running nodes switch to it for new writes within
30 seconds; every older version still decrypts, so there is no downtime.

  --reencrypt   then re-seal every message and visitor of the tenant under the new version; the
                retention job destroys the old versions once nothing uses them (after 10 minutes)

Prints one JSON line per tenant.`,
  async run(args) {
    const slug = args.options.tenant;
    if (!args.options.all && (typeof slug !== 'string' || !slug)) throw new UsageError('--tenant SLUG or --all is required');
    await withServices(async (s) => {
      const tenants = args.options.all
        ? await s.storage.db.selectFrom('tenants').select(['id', 'slug', 'name']).execute()
        : [await tenantBySlug(s, slug as string)].filter((t) => t !== undefined);
      if (tenants.length === 0) throw new UsageError(`no tenant with slug ${String(slug)}`);
      for (const t of tenants) {
        const version = await s.keyring.rotate(t.id);
        const reencrypted = args.options.reencrypt ? await reencryptTenant(s, t.id) : null;
        const maintained = args.options.reencrypt ? await maintainKeys(s, t.id) : null;
        await recordAccess(s, { kind: 'operator', command: 'keys:rotate' }, 'key.rotate', [{ tenantId: t.id, resourceType: 'tenant', resourceId: `data-key:${version}`, details: { version, reencrypted } }]);
        console.log(JSON.stringify({ tenant: t.slug, version, ...(reencrypted ? { reencrypted, keysDestroyed: maintained?.destroyed ?? 0 } : {}) }));
      }
    });
    return 0;
  },
};
