import type { Command } from '../command.js';
import { requireOption, UsageError } from '../command.js';
import { withStorage } from '../withStorage.js';
import { createAgent } from '../../commands/agentCreator.js';
import { randomToken } from '../../security/ids.js';

export const agentCreate: Command = {
  name: 'agent:create',
  summary: 'Create an agent in a tenant',
  help: `Usage: parley agent:create --tenant SLUG --email EMAIL --name NAME [--role agent|supervisor|admin]

Creates the agent with a random password, printed once (only its argon2id hash is stored).`,
  async run(args) {
    const slug = requireOption(args, 'tenant');
    const email = requireOption(args, 'email');
    const name = requireOption(args, 'name');
    const role = (args.options.role ?? 'agent') as string;
    if (!['agent', 'supervisor', 'admin'].includes(role)) throw new UsageError('--role must be agent, supervisor or admin');
    const password = randomToken(12);
    await withStorage(async (s) => {
      const tenant = await s.db.selectFrom('tenants').select('id').where('slug', '=', slug).executeTakeFirst();
      if (!tenant) throw new UsageError(`no tenant with slug ${slug}`);
      await createAgent(s.db, { tenantId: tenant.id, email, name, role: role as 'agent', password });
    });
    console.log(`created ${email} (${role})\npassword (shown once): ${password}`);
    return 0;
  },
};
