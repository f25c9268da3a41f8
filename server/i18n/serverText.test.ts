import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeTenant, startTestParley, visitorSession, type TestParley } from '../testing/testParley.js';
import { smtpSinkForSuite } from '../testing/smtpSink.js';
import { createMessage } from '../commands/messageCreator.js';
import { handOff } from '../commands/botResponder.js';
import { SERVER_TEXT } from './serverText.js';

describe('words the server writes, in the tenant’s language', () => {
  const smtp = smtpSinkForSuite();
  let t: TestParley;
  afterAll(dropSchemas);
  beforeEach(async () => {
    t = await startTestParley({ env: { SMTP_URL: smtp.url } });
  });
  afterEach(async () => cleanupTestParley(t));

  it('has every text in English and French', () => {
    expect(Object.keys(SERVER_TEXT.fr).sort()).toEqual(Object.keys(SERVER_TEXT.en).sort());
  });

  it('emails an invitation (the link too), in English by default', async () => {
    const tenant = await makeTenant(t);
    const me = await login(t, await makeAgent(t, tenant, 'admin'));
    const res = await t.app.inject({ method: 'POST', url: '/api/admin/invitations', headers: me.headers, payload: { email: 'Nia@Example.com', role: 'agent' } });
    expect(res.statusCode, res.body).toBe(201);
    const { url, emailed } = res.json();
    expect(emailed).toBe(true);
    const mail = await smtp.next();
    expect(mail.to).toEqual(['nia@example.com']);
    expect(mail.subject).toBe(`You are invited to answer chats for ${tenant.name} on Parley`);
    expect(mail.text).toContain(url);
  });

  it('writes notices and emails in French for a French tenant (and masks a card in the offline email)', async () => {
    const tenant = await makeTenant(t);
    const admin = await makeAgent(t, tenant, 'admin');
    const me = await login(t, admin);
    const patch = await t.app.inject({ method: 'PATCH', url: '/api/admin/settings', headers: me.headers, payload: { language: 'fr' } });
    expect(patch.statusCode, patch.body).toBe(200);

    const res = await t.app.inject({ method: 'POST', url: '/api/widget/offline-message', payload: { key: tenant.widget_key, name: 'Olga', email: 'olga@example.com', body: 'Rappelez-moi, carte 4111 1111 1111 1111' } });
    expect(res.statusCode, res.body).toBe(201);
    let mail = await smtp.next();
    expect(mail.subject).toBe(`[${tenant.name}] Nouveau message de Olga`);
    expect(mail.text).toContain('a laissé un message');
    expect(mail.text).toContain('Répondez-y dans la console');
    expect(mail.text).not.toContain('4111 1111 1111 1111');
    await t.app.inject({ method: 'POST', url: '/api/admin/invitations', headers: me.headers, payload: { email: 'lea@example.com', role: 'agent' } });
    mail = await smtp.next();
    expect(mail.text).toContain('Vous êtes invité·e à rejoindre');

    const s = await visitorSession(t, tenant);
    const { message } = await createMessage(t.ctx, { kind: 'visitor', tenantId: tenant.id, visitorId: s.visitorId }, { clientId: 'q1', body: 'Bonjour' });
    await t.contactCentre.idle(); // the node's intake and bot first (see pageContext.test.ts)
    await t.ctx.storage.db.updateTable('conversations').set({ bot_active: 1 }).where('id', '=', message.conversationId).execute();
    expect(await handOff(t.ctx, tenant.id, message.conversationId, 'h1')).toBe(true);
    const log = (await t.app.inject({ method: 'GET', url: `/api/conversations/${message.conversationId}/messages`, headers: me.headers })).json().items;
    expect(log.at(-1)).toMatchObject({ author: { kind: 'system', id: 'system' }, body: SERVER_TEXT.fr.handoff });
  });
});
