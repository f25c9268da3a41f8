import type { Db } from '../storage/db.js';
import { randomToken } from '../security/ids.js';
import { createTenant } from './tenantCreator.js';
import { createAgent } from './agentCreator.js';

/**
 * First start of an empty installation: a demo tenant whose widget may be embedded by the demo shop,
 * and an admin with a random password. Returns the credentials once, to be printed once; only the
 * argon2id hash is kept.
 */
export async function seedDemo(db: Db, demoOrigin: string): Promise<{ email: string; password: string } | null> {
  const any = await db.selectFrom('tenants').select('id').limit(1).executeTakeFirst();
  if (any) return null;
  const tenant = await createTenant(db, {
    slug: 'demo',
    name: 'Parley Outfitters',
    allowedOrigins: [demoOrigin],
    greeting: 'Hi! Questions about your order or our gear? We are here.',
    greetings: { fr: 'Bonjour ! Une question sur votre commande ou notre matériel ? Nous sommes là.' },
  });
  const password = randomToken(12);
  const email = 'admin@demo.parley.local';
  await createAgent(db, { tenantId: tenant.id, email, name: 'Demo Admin', role: 'admin', password });
  return { email, password };
}
