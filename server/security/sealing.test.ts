import { createDecipheriv, randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTestParley, dropSchemas, makeTenant, startTestParley, type TestParley } from '../testing/testParley.js';
import { sealBytesWith, sealWith, sealedBytesVersion, type DataKey } from './keyring.js';

/** AES-256-GCM opened by hand, independently of keyring.ts: the stored layout is iv (12) | ciphertext | tag (16). */
function openByHand(key: Buffer, aad: string, blob: Buffer): string {
  const d = createDecipheriv('aes-256-gcm', key, blob.subarray(0, 12));
  d.setAAD(Buffer.from(aad, 'utf8'));
  d.setAuthTag(blob.subarray(blob.length - 16));
  return Buffer.concat([d.update(blob.subarray(12, blob.length - 16)), d.final()]).toString('utf8');
}

describe('sealed value layout', () => {
  const dk: DataKey = { tenantId: 't', version: 7, key: randomBytes(32) };

  it('seals text (any script) as pe1:<version>:base64url(iv | ciphertext | tag), with a fresh iv each time', () => {
    for (const text of ['hello', 'Grüße — 你好 👋', '', 'x'.repeat(5000)]) {
      const sealed = sealWith(dk, 'ten|messages.body|msg_1', text);
      const [prefix, version, b64] = sealed.split(':');
      expect(`${prefix}:${version}`).toBe('pe1:7');
      const blob = Buffer.from(b64!, 'base64url');
      expect(blob.length).toBe(12 + Buffer.byteLength(text) + 16);
      expect(openByHand(dk.key, 'ten|messages.body|msg_1', blob)).toBe(text);
      expect(() => openByHand(dk.key, 'ten|messages.body|msg_2', blob)).toThrow();
    }
    expect(sealWith(dk, 'a', 'same')).not.toBe(sealWith(dk, 'a', 'same'));
  });

  it('seals bytes as PEF1 | version | iv | ciphertext | tag', () => {
    const bytes = randomBytes(3000);
    const sealed = sealBytesWith(dk, 'ten|attachments.file|att_1', bytes);
    expect(sealed.subarray(0, 4).toString('latin1')).toBe('PEF1');
    expect(sealedBytesVersion(sealed)).toBe(7);
    expect(sealed.length).toBe(8 + 12 + bytes.length + 16);
    const body = sealed.subarray(8);
    const d = createDecipheriv('aes-256-gcm', dk.key, body.subarray(0, 12));
    d.setAAD(Buffer.from('ten|attachments.file|att_1'));
    d.setAuthTag(body.subarray(body.length - 16));
    expect(Buffer.concat([d.update(body.subarray(12, body.length - 16)), d.final()]).equals(bytes)).toBe(true);
  });
});

describe('unwrapped keys', () => {
  let t: TestParley;
  beforeEach(async () => {
    t = await startTestParley();
  });
  afterEach(async () => cleanupTestParley(t));
  afterAll(dropSchemas);

  it('own their memory: a search key posted to the writer thread with each message clones 32 bytes, not a shared 8 KB pool buffer', async () => {
    const tenant = await makeTenant(t);
    const searchKey = await t.ctx.keyring.searchKey(tenant.id);
    const { key } = await t.ctx.keyring.dataKey(tenant.id);
    for (const k of [searchKey, key]) {
      expect(k.length).toBe(32);
      expect(k.buffer.byteLength).toBe(32);
    }
  });
});
