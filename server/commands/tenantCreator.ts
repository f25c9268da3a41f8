import type { Db } from '../storage/db.js';
import type { Tenant } from '../storage/schema.js';
import { AppError } from '../errors.js';
import { newId, randomToken } from '../security/ids.js';
import { SERVER_TEXT } from '../i18n/serverText.js';
import type { Greetings } from '../../protocol/http.js';

export interface NewTenant {
  slug: string;
  name: string;
  allowedOrigins: string[];
  brandColor?: string;
  greeting?: string;
  /** The greeting per language (shown instead of `greeting` to visitors whose widget speaks it). */
  greetings?: Greetings;
}

export async function createTenant(db: Db, input: NewTenant): Promise<Tenant> {
  if (!/^[a-z0-9][a-z0-9-]{1,40}$/.test(input.slug)) throw new AppError('validation_failed', 'slug must be 2-41 lowercase letters, digits or dashes');
  for (const o of input.allowedOrigins) {
    if (new URL(o).origin !== o) throw new AppError('validation_failed', `allowed origin must be a bare origin like https://shop.example (got ${o})`);
  }
  const tenant: Tenant = {
    id: newId('ten'),
    slug: input.slug,
    name: input.name,
    widget_key: 'wk_' + randomToken(12),
    brand_color: input.brandColor ?? '#2563eb',
    position: 'right',
    // Without a greeting of its own, the tenant's widget greets in each language it speaks.
    greeting: input.greeting ?? SERVER_TEXT.en.defaultGreeting,
    greetings: JSON.stringify(input.greetings ?? (input.greeting === undefined ? { fr: SERVER_TEXT.fr.defaultGreeting } : {})),
    allowed_origins: JSON.stringify(input.allowedOrigins),
    created_at: Date.now(),
    retention_days: 365,
    redaction_patterns: '[]',
  };
  await db.insertInto('tenants').values(tenant).execute();
  return tenant;
}
