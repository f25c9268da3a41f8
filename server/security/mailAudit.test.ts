/**
 * E-mail that carries a customer's data to someone other than the customer is recorded in the access
 * audit before it is handed to SMTP, or not sent (docs/SECURITY.md, *Access audit*, which classifies
 * every Mailer.send call): the team's offline-message notice (the visitor's name, email and message)
 * and the admins' exposure report (names and emails of every visitor it lists). The SMTP hand-over
 * is caught at the transport, so "recorded first" is checked at that instant; the audit writer is
 * failed by the test itself (testing/auditFaults.ts).
 */
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { auditFaults, withAuditFaults } from '../testing/auditFaults.js';
import { smtpSinkForSuite } from '../testing/smtpSink.js';
import { cleanupTestParley, dropSchemas, makeAgent, makeTenant, startTestParley, visitorSession, type TestParley } from '../testing/testParley.js';
import type { Agent, Tenant } from '../storage/schema.js';
import { createMessage } from '../commands/messageCreator.js';
import { exposureReport, notifyExposure } from './exposureReport.js';
import { recordAccess } from './accessAudit.js';

vi.mock('./auditLog.js', async (real) => withAuditFaults(await real<typeof import('./auditLog.js')>()));

describe('mail carrying customer data is recorded before it is sent, or not sent', () => {
  const smtp = smtpSinkForSuite();
  let t: TestParley;
  let tenant: Tenant;
  let admin: Agent;
  /** Each hand-over to SMTP, with the watched entries committed at that instant. */
  let handedOver: Array<{ to: string[]; subject: string; durable: string[] }>;

  afterAll(dropSchemas);
  beforeEach(async () => {
    auditFaults.reset();
    auditFaults.actions.add('email.deliver');
    t = await startTestParley({ env: { SMTP_URL: smtp.url } });
    tenant = await makeTenant(t);
    admin = await makeAgent(t, tenant, 'admin');
    handedOver = [];
    const transport = (t.ctx.mailer as unknown as { transport: { sendMail(m: { to: string[]; subject: string }): Promise<unknown> } }).transport;
    const sendMail = transport.sendMail.bind(transport);
    transport.sendMail = (m) => {
      handedOver.push({ to: m.to, subject: m.subject, durable: [...auditFaults.durable] });
      return sendMail(m);
    };
  });
  afterEach(async () => {
    auditFaults.reset();
    await cleanupTestParley(t);
  });

  const leaveMessage = async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/widget/offline-message', payload: { key: tenant.widget_key, name: 'Olga', email: 'olga@example.com', body: 'Please call me back' } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { conversationId: string; emailed: boolean };
  };
  const visitorOf = async (conversationId: string) => (await t.ctx.storage.db.selectFrom('conversations').select('visitor_id').where('id', '=', conversationId).executeTakeFirstOrThrow()).visitor_id;

  it("the team's offline-message notice: its entry (conversation, visitor, recipients) is committed before SMTP gets it", async () => {
    const { conversationId, emailed } = await leaveMessage();
    expect(emailed).toBe(true);
    const visitorId = await visitorOf(conversationId);
    expect(handedOver).toHaveLength(1);
    expect(handedOver[0]!.durable).toContain(`email:offline-message|${conversationId}|${visitorId}`);
    expect((await smtp.next()).text).toContain('Please call me back');
    const entries = await t.ctx.storage.db.selectFrom('audit_log').selectAll().where('action', '=', 'email.deliver').execute();
    expect(entries.map((e) => ({ credential: e.credential, address: e.address, conversation: e.conversation_id, visitor: e.visitor_id }))).toEqual([
      { credential: 'email:offline-message', address: admin.email, conversation: conversationId, visitor: visitorId },
    ]);
  });

  it('the offline-message notice, its entry failing: not handed to SMTP; the message is still stored and queued', async () => {
    auditFaults.fail = true;
    const { conversationId, emailed } = await leaveMessage();
    expect(emailed).toBe(false);
    expect(handedOver).toEqual([]);
    expect(await t.ctx.storage.db.selectFrom('messages').select('id').where('conversation_id', '=', conversationId).execute()).toHaveLength(1);
  });

  it("the admins' exposure report: each visitor and conversation it lists is recorded before SMTP gets it, or it is not sent", async () => {
    const { visitorId } = await visitorSession(t, tenant, { name: 'Ann', email: 'ann@example.com' });
    const { message } = await createMessage(t.ctx, { kind: 'visitor', tenantId: tenant.id, visitorId }, { clientId: 'e1', body: 'hello' });
    const intruder = { kind: 'api_key' as const, tenantId: tenant.id, keyId: 'key_stolen', address: '203.0.113.9' };
    await recordAccess(t.ctx, intruder, 'conversation.read', [{ tenantId: tenant.id, resourceType: 'conversation', conversationId: message.conversationId, visitorId }]);
    const operator = { kind: 'operator' as const, command: 'test' };
    const report = await exposureReport(t.ctx, { credential: 'key:key_stolen' }, operator);
    expect(report.tenants[0]!.visitors.map((v) => v.email)).toEqual(['ann@example.com']);

    auditFaults.fail = true;
    expect(await notifyExposure(t.ctx, report, operator)).toMatchObject({ emails: 0 });
    expect(handedOver).toEqual([]);

    auditFaults.fail = false;
    expect(await notifyExposure(t.ctx, report, operator)).toMatchObject({ emails: 1 });
    expect(handedOver).toHaveLength(1);
    expect(handedOver[0]!.durable).toContain(`email:exposure-report|${message.conversationId}|${visitorId}`);
    expect((await smtp.next()).text).toContain('ann@example.com');
  });
});
