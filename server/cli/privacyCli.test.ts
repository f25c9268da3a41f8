import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from './main.js';
import { buildParley } from '../app.js';
import { parseEnv } from '../env.js';
import { createAgent } from '../commands/agentCreator.js';
import { createMessage } from '../commands/messageCreator.js';

/** The data commands of the CLI, on an embedded (SQLite) installation in a temp DATA_DIR. */
describe('parley CLI: keys, exposure reports, retention, tenant deletion', () => {
  let out: string[];
  let dir: string;
  const saved = { ...process.env };
  beforeEach(() => {
    out = [];
    vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...a) => void out.push(a.join(' ')));
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
    dir = mkdtempSync(join(tmpdir(), 'parley-cli-data-'));
    for (const k of ['DATABASE_URL', 'MASTER_KEY', 'MASTER_KEY_PREVIOUS', 'SECRET_KEY', 'REDIS_URL']) delete process.env[k];
    process.env.DATA_DIR = dir;
    process.env.LOG_LEVEL = 'silent';
  });
  afterEach(() => {
    vi.restoreAllMocks();
    process.env = { ...saved };
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports an agent’s exposure as CSV and JSON, rotates keys, re-wraps, runs retention and deletes a tenant', async () => {
    expect(await runCli(['tenant:create', '--slug', 'acme', '--name', 'Acme', '--origins', 'https://acme.example'])).toBe(0);
    // Some chat and an agent reading it, through a node on the same data directory.
    const parley = await buildParley({ env: parseEnv({ DATA_DIR: dir, LOG_LEVEL: 'silent' }), logger: pino({ level: 'silent' }) });
    const db = parley.ctx.storage.db;
    const tenant = await db.selectFrom('tenants').selectAll().where('slug', '=', 'acme').executeTakeFirstOrThrow();
    const agent = await createAgent(db, { tenantId: tenant.id, email: 'reader@acme.example', name: 'Reader', role: 'agent', password: 'correct horse battery staple' });
    const session = await parley.app.inject({ method: 'POST', url: '/api/widget/session', payload: { key: tenant.widget_key, name: 'Vera Visitor', email: 'vera@example.com' } });
    const { visitorId } = session.json();
    const { message } = await createMessage(parley.ctx, { kind: 'visitor', tenantId: tenant.id, visitorId }, { clientId: 'c1', body: 'hello there' });
    const login = await parley.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: agent.email, password: 'correct horse battery staple' } });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    expect((await parley.app.inject({ method: 'GET', url: `/api/conversations/${message.conversationId}`, headers: { cookie } })).statusCode).toBe(200);
    await parley.close();

    out = [];
    expect(await runCli(['exposure:report', '--actor', agent.id, '--format', 'csv'])).toBe(0);
    const csv = out.join('');
    expect(csv).toContain('vera@example.com');
    expect(csv).toContain(message.conversationId);
    out = [];
    expect(await runCli(['exposure:report', '--address', '127.0.0.1', '--from', new Date(Date.now() - 60_000).toISOString()])).toBe(0);
    expect(JSON.parse(out.join('')).totals).toMatchObject({ tenants: 1, visitors: 1, conversations: 1 });
    out = [];
    expect(await runCli(['exposure:report'])).toBe(1);
    expect(out.join('\n')).toContain('give at least one of');

    out = [];
    expect(await runCli(['keys:rotate', '--tenant', 'acme', '--reencrypt'])).toBe(0);
    expect(JSON.parse(out[0]!)).toMatchObject({ tenant: 'acme', version: 2, reencrypted: { messages: 1, visitors: 1 } });

    // Master-key rotation: the new key in MASTER_KEY, the generated one as MASTER_KEY_PREVIOUS.
    process.env.MASTER_KEY_PREVIOUS = readFileSync(join(dir, 'master.key'), 'utf8').trim();
    process.env.MASTER_KEY = 'ab'.repeat(32);
    out = [];
    expect(await runCli(['keys:rewrap'])).toBe(0);
    expect(JSON.parse(out[0]!)).toMatchObject({ rewrapped: 3 }); // data v1, v2, search
    delete process.env.MASTER_KEY_PREVIOUS;
    out = [];
    expect(await runCli(['exposure:report', '--actor', agent.id])).toBe(0); // still decrypts with the new master alone
    expect(out.join('')).toContain('Vera Visitor');

    out = [];
    expect(await runCli(['retention:run'])).toBe(0);
    expect(JSON.parse(out[0]!)).toMatchObject({ conversationsDeleted: 0 });

    out = [];
    expect(await runCli(['tenant:delete', '--slug', 'acme'])).toBe(1);
    expect(out.join('\n')).toContain('--confirm must repeat the slug');
    out = [];
    expect(await runCli(['tenant:delete', '--slug', 'acme', '--confirm', 'acme'])).toBe(0);
    expect(JSON.parse(out[0]!)).toMatchObject({ deleted: 'acme', keysDestroyed: 3, conversations: 1, visitors: 1 });
    out = [];
    expect(await runCli(['audit:verify'])).toBe(0);
    expect(out.join('\n')).toContain('audit chain intact');
  });
});
