import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvError, parseEnv } from './env.js';

describe('env', () => {
  it('has embedded defaults and creates a secret key once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-env-'));
    const env = parseEnv({ DATA_DIR: dir });
    expect(env).toMatchObject({ port: 3000, publicUrl: 'http://localhost:3000', databaseUrl: null, redisUrl: null, demo: true, demoPort: 3001 });
    expect(env.secretKey).toHaveLength(32);
    expect(parseEnv({ DATA_DIR: dir }).secretKey.equals(env.secretKey)).toBe(true);
    expect(readFileSync(join(dir, 'secret.key'), 'utf8').trim()).toHaveLength(64);
  });

  it('lists every problem at once', () => {
    try {
      parseEnv({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', DEMO: 'perhaps', PUBLIC_URL: 'not a url' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(EnvError);
      const problems = (err as EnvError).problems.join('\n');
      for (const name of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'DEMO', 'PUBLIC_URL', 'SECRET_KEY']) expect(problems).toContain(name);
    }
  });

  it('requires a shared SECRET_KEY for scale-out and checks its length', () => {
    expect(() => parseEnv({ REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(/SECRET_KEY is required/);
    expect(() => parseEnv({ REDIS_URL: 'redis://127.0.0.1:6379', SECRET_KEY: 'abcd' })).toThrow(/32 bytes/);
    const env = parseEnv({ REDIS_URL: 'redis://127.0.0.1:6379', SECRET_KEY: 'ab'.repeat(32), DATA_DIR: mkdtempSync(join(tmpdir(), 'p-')) });
    expect(env.secretKey).toHaveLength(32);
  });

  it('takes KEYSTORE_URL only with DATABASE_URL, and never the application database itself', () => {
    const pgBase = { DATABASE_URL: 'postgres://u@db.example/parley', SECRET_KEY: 'ab'.repeat(32), MASTER_KEY: 'cd'.repeat(32) };
    expect(parseEnv(pgBase).keystoreUrl).toBeNull(); // default: schema parley_keys, with a boot warning
    expect(parseEnv({ ...pgBase, KEYSTORE_URL: 'postgres://u@keys.example/parley_keys' }).keystoreUrl).toBe('postgres://u@keys.example/parley_keys');
    expect(parseEnv({ ...pgBase, KEYSTORE_URL: 'postgres://u@db.example/parley?schema=parley_keys' }).keystoreUrl).toContain('schema=parley_keys');
    expect(() => parseEnv({ ...pgBase, KEYSTORE_URL: 'postgres://u@db.example/parley' })).toThrow(/another database than DATABASE_URL, or a schema/);
    expect(() => parseEnv({ ...pgBase, KEYSTORE_URL: 'postgres://u@db.example/parley?schema=x;drop' })).toThrow(/plain identifier/);
    expect(() => parseEnv({ ...pgBase, KEYSTORE_URL: 'mysql://u@keys.example/k' })).toThrow(/KEYSTORE_URL must use/);
    expect(() => parseEnv({ KEYSTORE_URL: 'postgres://u@keys.example/k', DATA_DIR: mkdtempSync(join(tmpdir(), 'p-')) })).toThrow(/applies only with DATABASE_URL/);
  });
});
