/**
 * Envelope encryption with per-tenant keys.
 *
 * - Every tenant has data keys (DEKs, AES-256) in `tenant_keys` of the key store (storage/keyStore.ts,
 *   never the application database), one row per version, plus one search
 *   key for the blind index. A DEK is stored only wrapped: AES-256-GCM under a key-encryption key
 *   derived from the master key for that tenant (HKDF-SHA256, info = tenant id), with the tenant,
 *   purpose and version as additional data, so a wrapped key moved to another tenant or version
 *   does not unwrap.
 * - The master key comes from configuration (MASTER_KEY), never from the database. During a master
 *   rotation MASTER_KEY_PREVIOUS is also accepted; `rewrapAll` moves every DEK to the current one.
 * - New writes use the tenant's newest live version; every older version still decrypts until it
 *   is destroyed. Destroying a version (retention) or deleting the tenant's rows (tenant deletion)
 *   in the key store is crypto-shredding: whatever ciphertext remains anywhere — including a copy of
 *   the application database, which never holds wrapped keys — can no longer be opened.
 * - Unwrapped keys are cached in memory, bounded in size and age (so a key destroyed by another
 *   node or the CLI leaves this node's memory within the TTL).
 *
 * Sealed values: `pe1:<version>:<base64url(iv | ciphertext | tag)>`. The caller's AAD binds each
 * value to its tenant, table, column and row (see sealedFields.ts).
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { pooledRandomBytes } from './randomPool.js';
import { ExpiringCache } from '../expiringCache.js';
import type { KeyStore } from '../storage/keyStore.js';
import type { TenantKeyTable } from '../storage/schema.js';

export type KeyPurpose = TenantKeyTable['purpose'];

export interface DataKey {
  tenantId: string;
  version: number;
  key: Buffer;
}

export class KeyUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyUnavailableError';
  }
}

export interface KeyringOptions {
  /** Most unwrapped keys kept in memory. */
  cacheSize?: number;
  /** How long an unwrapped key stays cached. */
  cacheTtlMs?: number;
  /** How long a node keeps writing with the version it last saw as current (rotation reaches it within this). */
  currentTtlMs?: number;
}

const SEALED_PREFIX = 'pe1:';
const WRAP_PREFIX = 'w1:';
/** A tenant has one blind-index key, version 1: its tokens must stay comparable for the whole index. */
const SEARCH_KEY_VERSION = 1;

/** Short public fingerprint of a master key: which master wrapped a DEK, without revealing it. */
export const masterKeyId = (key: Buffer): string => createHash('sha256').update('parley-master-key-id').update(key).digest('hex').slice(0, 16);

export function isSealed(value: string | null | undefined): boolean {
  return typeof value === 'string' && value.startsWith(SEALED_PREFIX);
}

/**
 * iv | ciphertext | tag, written into one buffer (`offset` bytes left free in front for a caller's
 * header). Every message seals two fields on the event loop: the ciphertext and the tag are copied
 * into place rather than concatenated twice, and text is encrypted as it is (GCM's final() adds no
 * bytes), so a seal allocates one output buffer instead of five.
 */
function gcmSeal(key: Buffer, aad: string, plaintext: string | Buffer, offset = 0): Buffer {
  const length = typeof plaintext === 'string' ? Buffer.byteLength(plaintext, 'utf8') : plaintext.length;
  const out = Buffer.allocUnsafe(offset + 12 + length + 16);
  const iv = pooledRandomBytes(12);
  iv.copy(out, offset);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = typeof plaintext === 'string' ? cipher.update(plaintext, 'utf8') : cipher.update(plaintext);
  ct.copy(out, offset + 12);
  cipher.final();
  cipher.getAuthTag().copy(out, offset + 12 + length);
  return out;
}

function gcmOpen(key: Buffer, aad: string, blob: Buffer): Buffer {
  if (blob.length < 28) throw new KeyUnavailableError('sealed value is truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, blob.subarray(0, 12));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(blob.subarray(blob.length - 16));
  return Buffer.concat([decipher.update(blob.subarray(12, blob.length - 16)), decipher.final()]);
}

/** Seals with a known DEK (synchronous, so it can run inside a transaction). */
export function sealWith(dk: DataKey, aad: string, plaintext: string): string {
  return `${SEALED_PREFIX}${dk.version}:${gcmSeal(dk.key, aad, plaintext).toString('base64url')}`;
}

const FILE_MAGIC = Buffer.from('PEF1', 'latin1');

/**
 * Seals bytes (an attachment file) with a known DEK: `PEF1` | version (uint32 BE) | iv | ciphertext | tag.
 * The version is in clear so the file names the key that opens it, like a sealed value does.
 */
export function sealBytesWith(dk: DataKey, aad: string, plaintext: Buffer): Buffer {
  const out = gcmSeal(dk.key, aad, plaintext, 8);
  FILE_MAGIC.copy(out, 0);
  out.writeUInt32BE(dk.version, 4);
  return out;
}

/** The DEK version a sealed file was written with (null when the bytes are not a sealed file). */
export function sealedBytesVersion(blob: Buffer): number | null {
  return blob.length >= 8 && blob.subarray(0, 4).equals(FILE_MAGIC) ? blob.readUInt32BE(4) : null;
}

export function sealedVersion(value: string): number {
  const m = /^pe1:(\d+):/.exec(value);
  if (!m) throw new KeyUnavailableError('value is not sealed');
  return Number(m[1]);
}

export class Keyring {
  private readonly masters: Array<{ id: string; key: Buffer }>;
  private readonly cache: ExpiringCache<Buffer>;
  private readonly current = new Map<string, { dk: DataKey; at: number }>();
  private readonly currentTtlMs: number;

  constructor(
    /** Any holder of the key store (a Storage passes itself: `storage.keys`). */
    private readonly storage: { keys: Pick<KeyStore, 'db' | 'isUniqueViolation'> },
    master: { current: Buffer; previous?: Buffer | null },
    opts: KeyringOptions = {},
  ) {
    this.masters = [{ id: masterKeyId(master.current), key: master.current }];
    if (master.previous) this.masters.push({ id: masterKeyId(master.previous), key: master.previous });
    this.cache = new ExpiringCache({ maxEntries: opts.cacheSize ?? 1000, ttlMs: opts.cacheTtlMs ?? 5 * 60_000 });
    this.currentTtlMs = opts.currentTtlMs ?? 30_000;
  }

  get currentMasterId(): string {
    return this.masters[0]!.id;
  }

  // ---------- wrapping ----------

  private kek(masterKey: Buffer, tenantId: string): Buffer {
    return Buffer.from(hkdfSync('sha256', masterKey, Buffer.from('parley-kek-v1'), Buffer.from(`tenant:${tenantId}`), 32));
  }

  private wrapAad = (tenantId: string, purpose: KeyPurpose, version: number) => `parley-dek|${tenantId}|${purpose}|${version}`;

  wrap(tenantId: string, purpose: KeyPurpose, version: number, key: Buffer): { wrapped: string; masterId: string } {
    const m = this.masters[0]!;
    const blob = gcmSeal(this.kek(m.key, tenantId), this.wrapAad(tenantId, purpose, version), key);
    return { wrapped: `${WRAP_PREFIX}${m.id}:${blob.toString('base64url')}`, masterId: m.id };
  }

  unwrap(tenantId: string, purpose: KeyPurpose, version: number, wrapped: string): Buffer {
    const m = /^w1:([0-9a-f]{16}):([A-Za-z0-9_-]+)$/.exec(wrapped);
    if (!m) throw new KeyUnavailableError('wrapped key is malformed');
    const master = this.masters.find((x) => x.id === m[1]);
    if (!master) throw new KeyUnavailableError(`key ${tenantId}/${purpose}/${version} is wrapped by master key ${m[1]}, which is not configured`);
    try {
      return gcmOpen(this.kek(master.key, tenantId), this.wrapAad(tenantId, purpose, version), Buffer.from(m[2]!, 'base64url'));
    } catch {
      throw new KeyUnavailableError(`key ${tenantId}/${purpose}/${version} does not unwrap`);
    }
  }

  /** How many unwrapped keys are in memory (tests check the bound). */
  get cachedKeys(): number {
    return this.cache.size;
  }

  /** Forgets a tenant's keys (after destruction or rotation on this node). */
  evict(tenantId: string): void {
    this.cache.deleteWithPrefix(`${tenantId}/`);
    this.current.delete(tenantId);
  }

  // ---------- keys ----------

  /** A key's name in this node's cache of unwrapped keys. */
  private static cacheId(tenantId: string, purpose: KeyPurpose, version: number): string {
    return `${tenantId}/${purpose}/${version}`;
  }

  /** The key of one version, unwrapped; throws KeyUnavailableError when missing or destroyed. */
  async key(tenantId: string, purpose: KeyPurpose, version: number): Promise<Buffer> {
    const id = Keyring.cacheId(tenantId, purpose, version);
    const cached = this.cache.get(id);
    if (cached) return cached;
    const row = await this.storage.keys.db
      .selectFrom('tenant_keys')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('purpose', '=', purpose)
      .where('version', '=', version)
      .executeTakeFirst();
    if (!row || !row.wrapped_key || row.destroyed_at !== null) throw new KeyUnavailableError(`key ${id} does not exist or was destroyed`);
    // A key of its own memory: the unwrapped bytes are a slice of Node's shared 8 KB buffer pool,
    // and a message's search key is posted to the SQLite writer thread, where a structured clone
    // copies a view's whole underlying buffer (8 KB per message instead of 32 bytes).
    const unwrapped = this.unwrap(tenantId, purpose, version, row.wrapped_key);
    const key = Buffer.alloc(unwrapped.length); // never pooled
    unwrapped.copy(key);
    this.cache.set(id, key);
    return key;
  }

  /**
   * The version new data is written with, when this node knows it: no promise, no turn of the
   * microtask queue (the message path asks on every message, and nearly always knows). Undefined:
   * ask dataKey().
   */
  knownDataKey(tenantId: string): DataKey | undefined {
    const hit = this.current.get(tenantId);
    return hit && Date.now() - hit.at < this.currentTtlMs ? hit.dk : undefined;
  }

  /** The version new data is written with, created on first use. */
  async dataKey(tenantId: string): Promise<DataKey> {
    const known = this.knownDataKey(tenantId);
    if (known) return known;
    const row = await this.storage.keys.db
      .selectFrom('tenant_keys')
      .select(['version'])
      .where('tenant_id', '=', tenantId)
      .where('purpose', '=', 'data')
      .where('destroyed_at', 'is', null)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    const version = row ? row.version : await this.create(tenantId, 'data', 1);
    const dk = { tenantId, version, key: await this.key(tenantId, 'data', version) };
    this.current.set(tenantId, { dk, at: Date.now() });
    return dk;
  }

  /** The tenant's blind-index key when it is in memory (see knownDataKey); undefined: ask searchKey(). */
  knownSearchKey(tenantId: string): Buffer | undefined {
    return this.cache.get(Keyring.cacheId(tenantId, 'search', SEARCH_KEY_VERSION));
  }

  /** The tenant's blind-index key (one per tenant, created on first use). */
  async searchKey(tenantId: string): Promise<Buffer> {
    try {
      return await this.key(tenantId, 'search', SEARCH_KEY_VERSION);
    } catch (err) {
      if (!(err instanceof KeyUnavailableError)) throw err;
      const exists = await this.storage.keys.db.selectFrom('tenant_keys').select(['version', 'destroyed_at']).where('tenant_id', '=', tenantId).where('purpose', '=', 'search').executeTakeFirst();
      if (exists && exists.destroyed_at !== null) throw err; // destroyed: the tenant is being deleted
      // Absent: create it. Present and live: another caller created it after our first read.
      if (!exists) await this.create(tenantId, 'search', SEARCH_KEY_VERSION);
      return this.key(tenantId, 'search', SEARCH_KEY_VERSION);
    }
  }

  /**
   * Inserts a new random key. When another caller (this node's, or another node's) won the race for
   * the same version — several first messages of a new tenant at once — the insert fails on the
   * primary key and the winner's stored key is used: the loser's candidate is dropped from the
   * cache and the winner's row is read back, so every caller seals with the one stored key.
   */
  private async create(tenantId: string, purpose: KeyPurpose, version: number): Promise<number> {
    const { wrapped, masterId } = this.wrap(tenantId, purpose, version, randomBytes(32));
    try {
      await this.storage.keys.db
        .insertInto('tenant_keys')
        .values({ tenant_id: tenantId, purpose, version, wrapped_key: wrapped, master_key_id: masterId, created_at: Date.now(), destroyed_at: null })
        .execute();
    } catch (err) {
      if (!this.storage.keys.isUniqueViolation(err)) throw err;
      this.cache.delete(Keyring.cacheId(tenantId, purpose, version));
      await this.key(tenantId, purpose, version); // the winner's key; throws if it was destroyed meanwhile
    }
    return version;
  }

  /** A new data-key version for new writes; older versions keep decrypting. Returns the new version. */
  async rotate(tenantId: string): Promise<number> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const top = await this.storage.keys.db
        .selectFrom('tenant_keys')
        .select((e) => e.fn.max('version').as('v'))
        .where('tenant_id', '=', tenantId)
        .where('purpose', '=', 'data')
        .executeTakeFirst();
      const next = Number(top?.v ?? 0) + 1;
      const { wrapped, masterId } = this.wrap(tenantId, 'data', next, randomBytes(32));
      try {
        await this.storage.keys.db
          .insertInto('tenant_keys')
          .values({ tenant_id: tenantId, purpose: 'data', version: next, wrapped_key: wrapped, master_key_id: masterId, created_at: Date.now(), destroyed_at: null })
          .execute();
        this.current.delete(tenantId);
        return next;
      } catch (err) {
        if (!this.storage.keys.isUniqueViolation(err)) throw err;
      }
    }
    throw new Error('could not rotate: concurrent rotations');
  }

  /** Destroys one version: its wrapped key is erased, so data sealed under it can never be opened again. */
  async destroy(tenantId: string, purpose: KeyPurpose, version: number): Promise<void> {
    await this.storage.keys.db
      .updateTable('tenant_keys')
      .set({ wrapped_key: null, master_key_id: null, destroyed_at: Date.now() })
      .where('tenant_id', '=', tenantId)
      .where('purpose', '=', purpose)
      .where('version', '=', version)
      .execute();
    this.evict(tenantId);
  }

  /** Re-wraps every live key under the current master key (master rotation). Returns how many moved. */
  async rewrapAll(): Promise<{ rewrapped: number; current: number }> {
    const rows = await this.storage.keys.db.selectFrom('tenant_keys').selectAll().where('destroyed_at', 'is', null).execute();
    let rewrapped = 0;
    for (const row of rows) {
      if (!row.wrapped_key || row.master_key_id === this.currentMasterId) continue;
      const key = this.unwrap(row.tenant_id, row.purpose, row.version, row.wrapped_key);
      const { wrapped, masterId } = this.wrap(row.tenant_id, row.purpose, row.version, key);
      await this.storage.keys.db
        .updateTable('tenant_keys')
        .set({ wrapped_key: wrapped, master_key_id: masterId })
        .where('tenant_id', '=', row.tenant_id)
        .where('purpose', '=', row.purpose)
        .where('version', '=', row.version)
        .where('wrapped_key', '=', row.wrapped_key)
        .execute();
      rewrapped++;
    }
    return { rewrapped, current: rows.length - rewrapped };
  }

  // ---------- values ----------

  /** Opens bytes sealed by sealBytesWith. Anything else is refused, as is a file of another tenant, row or key. */
  async openBytes(tenantId: string, aad: string, blob: Buffer): Promise<Buffer> {
    const version = sealedBytesVersion(blob);
    if (version === null) throw new KeyUnavailableError('sealed file is malformed');
    const key = await this.key(tenantId, 'data', version);
    try {
      return gcmOpen(key, aad, blob.subarray(8));
    } catch {
      throw new KeyUnavailableError('sealed file does not open: wrong tenant, row or key');
    }
  }

  /** Opens a sealed value of a tenant. Plain text is refused: nothing is ever stored unsealed. */
  async open(tenantId: string, aad: string, value: string): Promise<string> {
    const m = /^pe1:(\d+):([A-Za-z0-9_-]*)$/.exec(value);
    if (!m) throw new KeyUnavailableError('sealed value is malformed');
    const key = await this.key(tenantId, 'data', Number(m[1]));
    try {
      return gcmOpen(key, aad, Buffer.from(m[2]!, 'base64url')).toString('utf8');
    } catch {
      throw new KeyUnavailableError('sealed value does not open: wrong tenant, row or key');
    }
  }
}
