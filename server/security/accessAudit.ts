/**
 * The one place reads and changes of conversation and visitor data are recorded in the audit chain
 * (security/auditLog.ts). Routes, sockets, the webhook deliverer and jobs say *who* (an Accessor)
 * and *what was exposed* (Exposure: tenant, conversation, visitor, resource); this module turns that
 * into audit entries, so the shape of an entry is decided here only.
 *
 * Credentials recorded: `session:<first 16 hex of the session id>` (the id is already the SHA-256 of
 * the cookie token, so the prefix identifies the session without being usable), `key:<id>` for API
 * keys, `webhook:<id>` for webhook deliveries, `job:<name>` for system jobs, `cli:<command>` for
 * operators at the command line, `link:<attachment id>` for a download by an attachment's URL alone
 * (the visitor's widget, or anyone the link reached), `email:<purpose>` for a mail carrying customer
 * data (its recipients as the address).
 *
 * Reads are recorded *before* the data leaves, failing closed: an HTTP read whose audit entry cannot
 * be written fails; a live delivery to a socket (agent, or a shopper's other device) is recorded once
 * per conversation per socket session and its frame waits for the entry (realtime/connection.ts,
 * sendAudited: no entry, no frame, socket closed 1011); a webhook payload is recorded before its
 * request is made (not sent, retried, without one); so is a mail (security/mailer.ts).
 */
import type { ConversationView } from '../../protocol/records.js';
import type { Ctx } from '../context.js';
import type { Agent, Session } from '../storage/schema.js';
import { appendAudit, type AuditActor, type AuditRecord } from './auditLog.js';

export type Accessor =
  | { kind: 'agent'; tenantId: string; agentId: string; credential: string; address: string | null }
  | { kind: 'api_key'; tenantId: string; keyId: string; address: string | null }
  | { kind: 'webhook'; tenantId: string; webhookId: string; url: string }
  | { kind: 'system'; job: string }
  | { kind: 'operator'; command: string }
  /** An attachment fetched by its capability URL, without a session of its tenant. */
  | { kind: 'link'; attachmentId: string; address: string | null }
  /** A visitor whose browser proved a verified identity (the tenant's signed HMAC or JWT): their contacts were linked or merged. */
  | { kind: 'visitor'; tenantId: string; visitorId: string; address: string | null }
  /** An e-mail carrying customer data to its recipients (security/mailer.ts, recordMailed). */
  | { kind: 'email'; tenantId: string; purpose: string; to: readonly string[] };

export interface Exposure {
  tenantId: string;
  resourceType: 'conversation' | 'messages' | 'visitor' | 'search' | 'exposure_report' | 'tenant' | 'webhook_delivery' | 'attachment' | 'contact' | 'contact_note';
  resourceId?: string;
  conversationId?: string | null;
  visitorId?: string | null;
  details?: Record<string, unknown>;
}

export const sessionCredential = (session: Pick<Session, 'id'>) => `session:${session.id.slice(0, 16)}`;

export function agentAccessor(agent: Agent, session: Pick<Session, 'id'>, address: string | null): Accessor {
  return { kind: 'agent', tenantId: agent.tenant_id, agentId: agent.id, credential: sessionCredential(session), address };
}

export function auditActor(who: Accessor): AuditActor {
  switch (who.kind) {
    case 'agent':
      return { kind: 'agent', id: who.agentId, credential: who.credential, address: who.address };
    case 'api_key':
      return { kind: 'api_key', id: who.keyId, credential: `key:${who.keyId}`, address: who.address };
    case 'webhook':
      return { kind: 'webhook', id: who.webhookId, credential: `webhook:${who.webhookId}`, address: who.url };
    case 'system':
      return { kind: 'system', id: null, credential: `job:${who.job}`, address: null };
    case 'operator':
      return { kind: 'system', id: null, credential: `cli:${who.command}`, address: null };
    case 'link':
      return { kind: 'link', id: null, credential: `link:${who.attachmentId}`, address: who.address };
    case 'visitor':
      return { kind: 'visitor', id: who.visitorId, credential: 'identity:verified', address: who.address };
    case 'email':
      return { kind: 'system', id: null, credential: `email:${who.purpose}`, address: who.to.join(', ') };
  }
}

/** Appends one entry per exposure. `action` is a verb on the resource: conversation.read, messages.read, visitor.erase… */
export async function recordAccess(ctx: Pick<Ctx, 'storage'>, who: Accessor, action: string, exposures: Exposure[]): Promise<void> {
  if (exposures.length === 0) return;
  const records: AuditRecord[] = exposures.map((e) => ({
    tenantId: e.tenantId,
    action,
    resourceType: e.resourceType,
    resourceId: e.resourceId ?? e.conversationId ?? e.visitorId ?? undefined,
    conversationId: e.conversationId ?? null,
    visitorId: e.visitorId ?? null,
    details: e.details,
  }));
  await appendAudit(ctx.storage.db, auditActor(who), records);
}

/** Records the exposures derived from a result, then returns the result: `return audited(ctx, who, 'x.read', data, fn)`. */
export async function audited<T>(ctx: Pick<Ctx, 'storage'>, who: Accessor, action: string, result: T, exposures: Exposure[] | ((r: T) => Exposure[])): Promise<T> {
  await recordAccess(ctx, who, action, typeof exposures === 'function' ? exposures(result) : exposures);
  return result;
}

/** A conversation view exposes the conversation, its last message and its visitor's personal data. */
export function conversationExposures(tenantId: string, views: ConversationView[]): Exposure[] {
  return views.map((c) => ({ tenantId, resourceType: 'conversation', resourceId: c.id, conversationId: c.id, visitorId: c.visitor.id }));
}

export function messageExposure(tenantId: string, conversationId: string, visitorId: string, messages: Array<{ seq: number }>): Exposure[] {
  if (messages.length === 0) return [];
  return [
    {
      tenantId,
      resourceType: 'messages',
      resourceId: conversationId,
      conversationId,
      visitorId,
      details: { count: messages.length, fromSeq: messages[0]!.seq, toSeq: messages[messages.length - 1]!.seq },
    },
  ];
}
