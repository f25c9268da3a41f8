import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, dropSchemas, login, makeAgent, makeTenant, startTestParley, type TestParley } from '../testing/testParley.js';
import { seedDemoContent } from './demoContentSeeder.js';

describe('demo content', () => {
  let t: TestParley;
  beforeEach(async () => {
    t = await startTestParley();
  });
  afterEach(async () => cleanupTestParley(t));
  afterAll(async () => dropSchemas());

  it('gives the demo tenant a team with hours, saved replies, articles with the bot on, a second agent and past rated chats; once', async () => {
    const tenant = await makeTenant(t);
    const admin = await makeAgent(t, tenant, 'admin');
    const first = await seedDemoContent(t.ctx, tenant.id);
    expect(first.agent?.email).toBe('alex@demo.parley.local');
    await t.contactCentre.idle();
    const again = await seedDemoContent(t.ctx, tenant.id);
    expect(again.agent).toBeNull();

    const me = await login(t, admin);
    const get = async (url: string) => (await t.app.inject({ method: 'GET', url, headers: me.headers })).json();
    const teams = (await get('/api/teams')).items;
    expect(teams).toHaveLength(1);
    expect(teams[0]).toMatchObject({ name: 'Support', isDefault: true, weeklyHours: expect.objectContaining({ mon: [['08:00', '20:00']] }) });
    expect(teams[0].memberIds).toHaveLength(2);
    expect((await get('/api/canned-responses')).items.length).toBeGreaterThanOrEqual(3);
    expect((await get('/api/kb/articles')).items.length).toBeGreaterThanOrEqual(3);
    expect((await get('/api/contact-settings')).botEnabled).toBe(true);
    expect((await get(`/api/widget/availability?key=${tenant.widget_key}`)).bot).toBe(true);

    // Analytics over the last week has the past chats: answered, resolved, rated, by both agents.
    const report = await get('/api/reports');
    expect(report.conversations).toBe(6);
    expect(report.firstResponse.count).toBe(6);
    expect(report.resolution.count).toBe(6);
    expect(report.satisfaction.count).toBe(6);
    expect(report.agents.filter((a: { conversations: number }) => a.conversations > 0)).toHaveLength(2);
    // Spread over several days, not all today.
    expect(report.volume.filter((b: { conversations: number }) => b.conversations > 0).length).toBeGreaterThanOrEqual(5);
    // Nothing waits in the queue, and a second start adds no duplicates.
    const conversations = (await get('/api/conversations?status=open')).items;
    expect(conversations).toEqual([]);
  });
});
