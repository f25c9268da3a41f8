import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from './main.js';

// Runs on the embedded SQLite file of a temp DATA_DIR (the CLI opens the configured database).
describe('parley CLI: API keys and operators', () => {
  let out: string[];
  beforeEach(() => {
    out = [];
    vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...a) => void out.push(a.join(' ')));
    process.env.DATA_DIR = mkdtempSync(join(tmpdir(), 'parley-cli6-'));
    process.env.LOG_LEVEL = 'silent';
    delete process.env.DATABASE_URL;
  });
  afterEach(() => vi.restoreAllMocks());

  it('creates and revokes an API key, grants operator, all in the audit chain', async () => {
    expect(await runCli(['tenant:create', '--slug', 'acme', '--name', 'Acme', '--origins', 'https://acme.example'])).toBe(0);
    expect(await runCli(['agent:create', '--tenant', 'acme', '--email', 'ops@acme.example', '--name', 'Ops', '--role', 'admin'])).toBe(0);
    out = [];
    expect(await runCli(['apikey:create', '--tenant', 'acme', '--as', 'ops@acme.example', '--name', 'CRM', '--scopes', 'conversations:read,nope'])).toBe(1);
    expect(out.join('\n')).toContain('unknown scope(s): nope');
    out = [];
    expect(await runCli(['apikey:create', '--tenant', 'acme', '--as', 'ops@acme.example', '--name', 'CRM', '--scopes', 'conversations:read,reports:read'])).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/key \(shown once\): pk_[A-Za-z0-9_-]{43}/);
    const id = /created API key (\S+)/.exec(text)![1]!;
    expect(await runCli(['apikey:revoke', '--tenant', 'acme', '--id', id])).toBe(0);
    expect(await runCli(['operator:grant', '--email', 'ops@acme.example'])).toBe(0);
    out = [];
    expect(await runCli(['audit:verify'])).toBe(0);
    expect(out.join('\n')).toMatch(/audit chain intact: [3-9] entries/);
  });
});
