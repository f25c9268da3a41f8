import type { Command } from '../command.js';
import { requireOption, UsageError } from '../command.js';
import { tenantBySlug, withServices } from '../withServices.js';
import { deleteTenant } from '../../security/dataLifecycle.js';

export const tenantDelete: Command = {
  name: 'tenant:delete',
  summary: 'Delete a tenant: destroy its keys (crypto-shredding), then all its data',
  help: `Usage: parley tenant:delete --slug SLUG --confirm SLUG

Destroys every data and search key of the tenant first, in the key store (a database of its own:
DATA_DIR/keystore.sqlite or KEYSTORE_URL) — from that moment no copy of its data (database, WAL,
replica, backup of the application database) can be decrypted with this installation's keys — then
deletes its agents, visitors, conversations, messages, webhooks and settings. The audit chain keeps
a record.

The application database never holds the keys, so its old backups need nothing more. A backup of
the key store taken before the deletion still holds them: keep key-store backups on a short
retention, and if one is ever restored, run this command again for tenants deleted since.`,
  async run(args) {
    const slug = requireOption(args, 'slug');
    if (args.options.confirm !== slug) throw new UsageError('--confirm must repeat the slug');
    const result = await withServices(async (s) => {
      const tenant = await tenantBySlug(s, slug);
      if (!tenant) throw new UsageError(`no tenant with slug ${slug}`);
      return deleteTenant(s, tenant.id, { kind: 'operator', command: 'tenant:delete' });
    });
    console.log(JSON.stringify({ deleted: slug, ...result }));
    return 0;
  },
};
