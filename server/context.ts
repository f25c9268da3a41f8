import type { Logger } from 'pino';
import type { Env } from './env.js';
import type { Storage } from './storage/db.js';
import type { EventBus } from './events/domainEvents.js';
import type { VisitorTokens } from './security/visitorTokens.js';
import type { Agent } from './storage/schema.js';
import type { Metrics } from './metrics.js';
import type { Mailer } from './security/mailer.js';
import type { Keyring } from './security/keyring.js';

/** Everything a command needs, built once in app.ts and passed down; no module-level singletons. */
export interface Ctx {
  env: Env;
  storage: Storage;
  bus: EventBus;
  log: Logger;
  visitorTokens: VisitorTokens;
  metrics: Metrics;
  mailer: Mailer;
  /** Per-tenant data keys (envelope encryption at rest); see security/keyring.ts. */
  keyring: Keyring;
}

/** Who is acting. Every command takes one and scopes every query to actor.tenantId. */
export type Actor =
  | { kind: 'agent'; tenantId: string; agent: Agent }
  | { kind: 'visitor'; tenantId: string; visitorId: string }
  /**
   * Parley itself writing into a conversation: the knowledge-base bot's answers (`bot: true`, shown
   * as the bot's) or an event notice (handoff, transfer; shown as a notice, never as someone's reply).
   */
  | { kind: 'system'; tenantId: string; name: string; bot?: true };
