import type { Command } from '../command.js';
import { requireOption } from '../command.js';
import { withStorage } from '../withStorage.js';
import { createTenant } from '../../commands/tenantCreator.js';

export const tenantCreate: Command = {
  name: 'tenant:create',
  summary: 'Create a tenant (a client company)',
  help: `Usage: parley tenant:create --slug SLUG --name NAME --origins ORIGIN[,ORIGIN…]

  --slug      short unique name, lowercase letters, digits and dashes
  --name      display name shown in the widget
  --origins   comma-separated origins allowed to embed the widget, e.g. https://shop.example

Prints the tenant id and its widget key.`,
  async run(args) {
    const slug = requireOption(args, 'slug');
    const name = requireOption(args, 'name');
    const origins = requireOption(args, 'origins').split(',').map((o) => o.trim()).filter(Boolean);
    const tenant = await withStorage((s) => createTenant(s.db, { slug, name, allowedOrigins: origins }));
    console.log(JSON.stringify({ id: tenant.id, slug: tenant.slug, widgetKey: tenant.widget_key }, null, 2));
    return 0;
  },
};
