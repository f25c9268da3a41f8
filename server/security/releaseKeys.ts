/**
 * Release signing keys: parsing, generating (private key 0600, outside the repository), and which
 * keys are trusted (RELEASE_PUBLIC_KEY, else the local development key). See release.ts.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const PRIVATE_KEY_FILE = 'release-ed25519.key';
export const PUBLIC_KEY_FILE = 'release-ed25519.pub';

export interface TrustedKey {
  keyId: string;
  publicKey: string;
  key: KeyObject;
}

// ------------------------------------------------------------------ keys

export function rawPublicKey(key: KeyObject): Buffer {
  // SPKI DER of an Ed25519 key is a fixed 12-byte prefix followed by the 32 raw bytes.
  return key.export({ type: 'spki', format: 'der' }).subarray(-32);
}

export const keyIdOf = (raw: Buffer): string => createHash('sha256').update(raw).digest('hex').slice(0, 16);

/** Accepts base64 of the raw 32-byte key, base64 SPKI DER, or a PEM block. */
export function parsePublicKey(text: string): TrustedKey {
  const t = text.trim();
  let key: KeyObject;
  if (t.startsWith('-----BEGIN')) key = createPublicKey(t);
  else {
    const bytes = Buffer.from(t, 'base64');
    if (bytes.length === 32) key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), bytes]), format: 'der', type: 'spki' });
    else key = createPublicKey({ key: bytes, format: 'der', type: 'spki' });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 public key');
  const raw = rawPublicKey(key);
  return { keyId: keyIdOf(raw), publicKey: raw.toString('base64'), key };
}

export function loadPrivateKey(file: string): KeyObject {
  const key = createPrivateKey(readFileSync(file, 'utf8'));
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${file} is not an Ed25519 private key`);
  const mode = statSync(file).mode & 0o077;
  if (mode !== 0 && process.platform !== 'win32') throw new Error(`${file} is readable by group or others (chmod 600 it)`);
  return key;
}

/** Writes a new key pair into `dir`: the private key 0600, the public key beside it. */
export function generateReleaseKey(dir: string): { privateKeyFile: string; publicKeyFile: string; trusted: TrustedKey } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const privateKeyFile = join(dir, PRIVATE_KEY_FILE);
  const publicKeyFile = join(dir, PUBLIC_KEY_FILE);
  if (existsSync(privateKeyFile)) throw new Error(`${privateKeyFile} already exists; refusing to overwrite a release key`);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  writeFileSync(privateKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  chmodSync(privateKeyFile, 0o600);
  const raw = rawPublicKey(publicKey);
  writeFileSync(publicKeyFile, raw.toString('base64') + '\n', { mode: 0o644 });
  return { privateKeyFile, publicKeyFile, trusted: { keyId: keyIdOf(raw), publicKey: raw.toString('base64'), key: publicKey } };
}

// ------------------------------------------------------------------ where things live

type Source = Record<string, string | undefined>;

/** The development key's directory, outside any checkout: ~/.config/parley/release-key. */
export function devKeyDir(source: Source = process.env): string {
  if (source.RELEASE_DEV_KEY_DIR) return resolve(source.RELEASE_DEV_KEY_DIR);
  const config = source.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(config, 'parley', 'release-key');
}

/** The persistent, append-only release log: RELEASE_LOG, or release-log.json in DATA_DIR. */
export function releaseLogPath(source: Source = process.env): string {
  return resolve(source.RELEASE_LOG || join(source.DATA_DIR || './data', 'release-log.json'));
}

/**
 * Which public keys a verifier trusts: RELEASE_PUBLIC_KEY (comma-separated, for rotation) when set;
 * otherwise the development key's public half, if one has been generated on this machine.
 */
export function trustedKeysFrom(source: Source = process.env): { keys: TrustedKey[]; source: 'config' | 'dev-key' | 'none'; problems: string[] } {
  const problems: string[] = [];
  const raw = source.RELEASE_PUBLIC_KEY;
  if (raw && raw.trim()) {
    const keys: TrustedKey[] = [];
    for (const part of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
      try {
        keys.push(parsePublicKey(part));
      } catch (err) {
        problems.push(`RELEASE_PUBLIC_KEY: "${part.slice(0, 20)}…" is not an Ed25519 public key (${(err as Error).message})`);
      }
    }
    return { keys, source: 'config', problems };
  }
  const pub = join(devKeyDir(source), PUBLIC_KEY_FILE);
  if (existsSync(pub)) {
    try {
      return { keys: [parsePublicKey(readFileSync(pub, 'utf8'))], source: 'dev-key', problems };
    } catch (err) {
      problems.push(`development release key ${pub} is unreadable (${(err as Error).message})`);
    }
  }
  return { keys: [], source: 'none', problems };
}

/** The build's signing key: RELEASE_KEY (a private key file), else the development key, created on first use. */
export function signingKeyFrom(source: Source = process.env): { key: KeyObject; file: string; dev: boolean; created: boolean } {
  if (source.RELEASE_KEY) return { key: loadPrivateKey(resolve(source.RELEASE_KEY)), file: resolve(source.RELEASE_KEY), dev: false, created: false };
  const dir = devKeyDir(source);
  const file = join(dir, PRIVATE_KEY_FILE);
  let created = false;
  if (!existsSync(file)) {
    generateReleaseKey(dir);
    created = true;
  }
  return { key: loadPrivateKey(file), file, dev: true, created };
}
