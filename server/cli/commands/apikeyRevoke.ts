import type { Command } from '../command.js';
import { requireOption, UsageError } from '../command.js';
import { withStorage } from '../withStorage.js';
import type { Ctx } from '../../context.js';
import { revokeApiKey } from '../../commands/apiKeyRevoker.js';

export const apikeyRevoke: Command = {
  name: 'apikey:revoke',
  summary: 'Revoke a tenant API key',
  help: `Usage: parley apikey:revoke --tenant SLUG --id KEY_ID

Revokes the key at once (every request looks it up). Recorded in the audit log.`,
  async run(args) {
    const slug = requireOption(args, 'tenant');
    const id = requireOption(args, 'id');
    await withStorage(async (storage) => {
      const tenant = await storage.db.selectFrom('tenants').select('id').where('slug', '=', slug).executeTakeFirst();
      if (!tenant) throw new UsageError(`no tenant with slug ${slug}`);
      await revokeApiKey({ storage } as Ctx, tenant.id, id, { kind: 'system', id: null, credential: 'cli:apikey:revoke', address: null });
    });
    console.log(`revoked ${id}`);
    return 0;
  },
};
