import { pino } from 'pino';
import { parseEnv, type Env } from '../env.js';
import type { Ctx } from '../context.js';
import { openStorage } from '../storage/db.js';
import { Keyring } from '../security/keyring.js';
import { Mailer } from '../security/mailer.js';
import { logStreamWrite } from '../security/sinkRedaction.js';

export type CliServices = Pick<Ctx, 'storage' | 'keyring' | 'mailer' | 'log'> & { env: Env };

/** Like withStorage, plus what data commands need: the tenant keys (MASTER_KEY) and the mailer. */
export async function withServices<T>(fn: (s: CliServices) => Promise<T>): Promise<T> {
  const env = parseEnv();
  const log = pino({ level: env.logLevel === 'info' ? 'warn' : env.logLevel, hooks: { streamWrite: logStreamWrite } }, process.stderr);
  const storage = await openStorage({ databaseUrl: env.databaseUrl, keystoreUrl: env.keystoreUrl, dataDir: env.dataDir });
  const keyring = new Keyring(storage, { current: env.masterKey, previous: env.masterKeyPrevious });
  const mailer = new Mailer(env.smtpUrl, env.mailFrom, log);
  try {
    return await fn({ env, storage, keyring, mailer, log });
  } finally {
    mailer.close();
    await storage.close();
  }
}

export async function tenantBySlug(s: Pick<CliServices, 'storage'>, slug: string): Promise<{ id: string; slug: string; name: string } | undefined> {
  return s.storage.db.selectFrom('tenants').select(['id', 'slug', 'name']).where('slug', '=', slug).executeTakeFirst();
}
