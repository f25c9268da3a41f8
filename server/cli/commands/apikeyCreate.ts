import type { Command } from '../command.js';
import { requireOption, UsageError } from '../command.js';
import { withStorage } from '../withStorage.js';
import { API_SCOPES, type ApiScope } from '../../../protocol/admin.js';
import type { Ctx } from '../../context.js';
import { createApiKey } from '../../commands/apiKeyCreator.js';

export const apikeyCreate: Command = {
  name: 'apikey:create',
  summary: 'Create a tenant API key (printed once)',
  help: `Usage: parley apikey:create --tenant SLUG --as EMAIL --name NAME --scopes SCOPE[,SCOPE…]

  --tenant   slug of the tenant
  --as       email of an enabled agent of that tenant the key acts as (usually an admin)
  --name     what the key is for, e.g. "CRM sync"
  --scopes   comma-separated: ${API_SCOPES.join(', ')}

Prints the key once (only its SHA-256 is stored). Use it as: Authorization: Bearer pk_…
Recorded in the audit log with the credential cli:apikey:create.`,
  async run(args) {
    const slug = requireOption(args, 'tenant');
    const email = requireOption(args, 'as').toLowerCase();
    const name = requireOption(args, 'name');
    const scopes = requireOption(args, 'scopes').split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = scopes.filter((s) => !(API_SCOPES as readonly string[]).includes(s));
    if (unknown.length || scopes.length === 0) throw new UsageError(`unknown scope(s): ${unknown.join(', ') || '(none given)'}`);
    const created = await withStorage(async (storage) => {
      const tenant = await storage.db.selectFrom('tenants').select('id').where('slug', '=', slug).executeTakeFirst();
      if (!tenant) throw new UsageError(`no tenant with slug ${slug}`);
      const agent = await storage.db.selectFrom('agents').selectAll().where('tenant_id', '=', tenant.id).where('email', '=', email).where('disabled_at', 'is', null).executeTakeFirst();
      if (!agent) throw new UsageError(`no enabled agent ${email} in ${slug}`);
      return createApiKey({ storage } as Ctx, agent, { name, scopes: scopes as ApiScope[] }, { kind: 'system', id: null, credential: 'cli:apikey:create', address: null });
    });
    console.log(`created API key ${created.apiKey.id} (${created.apiKey.scopes.join(', ')})\nkey (shown once): ${created.token}`);
    return 0;
  },
};
