import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { COMMANDS, runCli } from './main.js';

describe('parley CLI', () => {
  let out: string[];
  beforeEach(() => {
    out = [];
    vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...a) => void out.push(a.join(' ')));
    process.env.DATA_DIR = mkdtempSync(join(tmpdir(), 'parley-cli-'));
    process.env.LOG_LEVEL = 'silent';
  });
  afterEach(() => vi.restoreAllMocks());

  it('has --help for every command', async () => {
    expect(await runCli(['--help'])).toBe(0);
    for (const c of COMMANDS) expect(out.join('\n')).toContain(c.name);
    for (const c of COMMANDS) {
      out = [];
      expect(await runCli([c.name, '--help'])).toBe(0);
      expect(out.join('\n')).toMatch(/^Usage: parley /);
    }
  });

  it('explains unknown commands and missing options', async () => {
    expect(await runCli(['frobnicate'])).toBe(1);
    expect(out.join('\n')).toContain('unknown command "frobnicate"');
    out = [];
    expect(await runCli(['tenant:create', '--slug', 'x'])).toBe(1);
    expect(out.join('\n')).toContain('--name is required');
  });

  it('creates a tenant and an agent, and verifies the audit chain', async () => {
    expect(await runCli(['tenant:create', '--slug', 'acme', '--name', 'Acme', '--origins', 'https://acme.example'])).toBe(0);
    expect(JSON.parse(out.join('\n'))).toMatchObject({ slug: 'acme', widgetKey: expect.stringMatching(/^wk_/) });
    out = [];
    expect(await runCli(['agent:create', '--tenant', 'acme', '--email', 'sam@acme.example', '--name', 'Sam', '--role', 'supervisor'])).toBe(0);
    expect(out.join('\n')).toMatch(/password \(shown once\): \S{16}/);
    out = [];
    expect(await runCli(['audit:verify'])).toBe(0);
    expect(out.join('\n')).toContain('audit chain intact');
  });
});
