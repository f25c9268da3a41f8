/**
 * C2SP signed notes (c2sp.org/signed-note, Go's golang.org/x/mod/sumdb/note) and timestamped
 * Ed25519 cosignatures (c2sp.org/tlog-cosignature, `cosignature/v1`).
 *
 *   note      = text (newline-terminated lines) + "\n" + signature lines
 *   signature = "— " + key name + " " + base64(key ID (4 bytes, big-endian) || signature) + "\n"
 *   key ID    = SHA-256(key name || "\n" || type || public key)[:4]; type 0x01 is a plain Ed25519
 *               signature over the text, 0x04 an Ed25519 cosignature over
 *               "cosignature/v1\ntime <t>\n" || text, carried as u64 big-endian t || signature.
 *   vkey      = name + "+" + hex(key ID) + "+" + base64(type || public key)
 *   skey      = "PRIVATE+KEY+" + name + "+" + hex(key ID) + "+" + base64(type || 32-byte seed)
 *               (Go's signer key format; Parley uses it for 0x04 keys too)
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

export const SIG_ED25519 = 0x01;
export const SIG_COSIGNATURE = 0x04;
type SigType = typeof SIG_ED25519 | typeof SIG_COSIGNATURE;
const DASH = '\u2014';

export function isValidKeyName(name: string): boolean {
  return name !== '' && !/[\s+]/u.test(name);
}

export function keyIdFor(name: string, type: SigType, publicKey: Uint8Array): Buffer {
  return createHash('sha256').update(name).update(Buffer.of(0x0a, type)).update(publicKey).digest().subarray(0, 4);
}

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export const publicKeyObject = (raw: Uint8Array): KeyObject => createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
export const privateKeyFromSeed = (seed: Uint8Array): KeyObject => createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
export const rawPublic = (key: KeyObject): Buffer => createPublicKey(key).export({ type: 'spki', format: 'der' }).subarray(-32);
const seedOf = (key: KeyObject): Buffer => key.export({ type: 'pkcs8', format: 'der' }).subarray(-32);

export interface NoteSigner {
  name: string;
  keyId: Buffer;
  /** The signature bytes that follow the key ID. */
  sign(text: Buffer): Buffer;
}

export interface NoteVerifier {
  name: string;
  keyId: Buffer;
  type: SigType;
  publicKey: Buffer;
  /** Null when the signature does not verify; else the cosignature's timestamp (0 for plain signatures). */
  verify(text: Buffer, sig: Buffer): { timestamp: number } | null;
}

export function cosignedMessage(text: Buffer | string, timestamp: number): Buffer {
  return Buffer.concat([Buffer.from(`cosignature/v1\ntime ${timestamp}\n`), Buffer.from(text)]);
}

export function noteSigner(name: string, type: SigType, privateKey: KeyObject, clock: () => number = () => Math.floor(Date.now() / 1000)): NoteSigner {
  if (!isValidKeyName(name)) throw new Error(`invalid key name "${name}"`);
  const keyId = keyIdFor(name, type, rawPublic(privateKey));
  if (type === SIG_ED25519) return { name, keyId, sign: (text) => sign(null, text, privateKey) };
  return {
    name,
    keyId,
    sign(text) {
      const t = clock();
      const ts = Buffer.alloc(8);
      ts.writeBigUInt64BE(BigInt(t));
      return Buffer.concat([ts, sign(null, cosignedMessage(text, t), privateKey)]);
    },
  };
}

export function noteVerifier(name: string, type: SigType, publicKey: Uint8Array): NoteVerifier {
  if (!isValidKeyName(name)) throw new Error(`invalid key name "${name}"`);
  if (publicKey.length !== 32) throw new Error('an Ed25519 public key is 32 bytes');
  const key = publicKeyObject(publicKey);
  const ok = (msg: Buffer, sig: Buffer) => {
    try {
      return verify(null, msg, key, sig);
    } catch {
      return false;
    }
  };
  return {
    name,
    keyId: keyIdFor(name, type, publicKey),
    type,
    publicKey: Buffer.from(publicKey),
    verify(text, sig) {
      if (type === SIG_ED25519) return sig.length === 64 && ok(text, sig) ? { timestamp: 0 } : null;
      if (sig.length !== 72) return null;
      const t = sig.readBigUInt64BE(0);
      if (t > BigInt(Number.MAX_SAFE_INTEGER)) return null;
      return ok(cosignedMessage(text, Number(t)), sig.subarray(8)) ? { timestamp: Number(t) } : null;
    },
  };
}

export function formatVerifierKey(v: Pick<NoteVerifier, 'name' | 'keyId' | 'type' | 'publicKey'>): string {
  return `${v.name}+${v.keyId.toString('hex')}+${Buffer.concat([Buffer.of(v.type), v.publicKey]).toString('base64')}`;
}

export function parseVerifierKey(vkey: string): NoteVerifier {
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+=*)$/.exec(vkey.trim());
  if (!m) throw new Error('a verifier key is name+hex8+base64');
  const bytes = Buffer.from(m[3]!, 'base64');
  const type = bytes[0];
  if (type !== SIG_ED25519 && type !== SIG_COSIGNATURE) throw new Error(`unsupported signature type 0x${(type ?? 0).toString(16)}`);
  const v = noteVerifier(m[1]!, type, bytes.subarray(1));
  if (v.keyId.toString('hex') !== m[2]) throw new Error('verifier key ID does not match its name and key');
  return v;
}

export function formatSignerKey(name: string, type: SigType, privateKey: KeyObject): string {
  const id = keyIdFor(name, type, rawPublic(privateKey)).toString('hex');
  return `PRIVATE+KEY+${name}+${id}+${Buffer.concat([Buffer.of(type), seedOf(privateKey)]).toString('base64')}`;
}

export function parseSignerKey(skey: string): { name: string; type: SigType; privateKey: KeyObject; verifierKey: string } {
  const m = /^PRIVATE\+KEY\+([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+=*)$/.exec(skey.trim());
  if (!m) throw new Error('a signer key is PRIVATE+KEY+name+hex8+base64');
  const bytes = Buffer.from(m[3]!, 'base64');
  const type = bytes[0];
  if ((type !== SIG_ED25519 && type !== SIG_COSIGNATURE) || bytes.length !== 33) throw new Error('unsupported signer key');
  const privateKey = privateKeyFromSeed(bytes.subarray(1));
  if (keyIdFor(m[1]!, type, rawPublic(privateKey)).toString('hex') !== m[2]) throw new Error('signer key ID does not match its name and key');
  return { name: m[1]!, type, privateKey, verifierKey: formatVerifierKey(noteVerifier(m[1]!, type, rawPublic(privateKey))) };
}

export function generateSignerKey(name: string, type: SigType): { signerKey: string; verifierKey: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  return { signerKey: formatSignerKey(name, type, privateKey), verifierKey: formatVerifierKey(noteVerifier(name, type, rawPublic(privateKey))) };
}

// ------------------------------------------------------------------ notes

export interface NoteSignature {
  name: string;
  keyId: Buffer;
  sig: Buffer;
  /** The line as written, without its newline. */
  line: string;
}

export function signatureLine(name: string, keyId: Buffer, sig: Buffer): string {
  return `${DASH} ${name} ${Buffer.concat([keyId, sig]).toString('base64')}`;
}

/** Signs `text` (which must end in a newline) with each signer. */
export function signNote(text: string, signers: NoteSigner[]): string {
  if (!text.endsWith('\n') || text.includes('\n\n') || text.startsWith('\n')) throw new Error('note text must be non-empty newline-terminated lines without blank lines');
  const body = Buffer.from(text);
  return text + '\n' + signers.map((s) => signatureLine(s.name, s.keyId, s.sign(body)) + '\n').join('');
}

/** Parses signature lines ("— name base64\n" each). */
export function parseSignatureLines(block: string): NoteSignature[] {
  if (block !== '' && !block.endsWith('\n')) throw new Error('signature lines must end with a newline');
  const out: NoteSignature[] = [];
  for (const line of block.split('\n').slice(0, -1)) {
    const m = new RegExp(`^${DASH} ([^\\s+]+) ([A-Za-z0-9+/]+=*)$`).exec(line);
    if (!m) throw new Error('malformed signature line');
    const bytes = Buffer.from(m[2]!, 'base64');
    if (bytes.length < 5 || bytes.toString('base64') !== m[2]) throw new Error('malformed signature');
    out.push({ name: m[1]!, keyId: bytes.subarray(0, 4), sig: bytes.subarray(4), line });
  }
  if (out.length > 100) throw new Error('too many signatures');
  return out;
}

export function parseNote(note: string): { text: string; signatures: NoteSignature[] } {
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new Error('a signed note needs a blank line before its signatures');
  const text = note.slice(0, split + 1);
  if (text.includes('\n\n') || text === '\n') throw new Error('malformed note text');
  const signatures = parseSignatureLines(note.slice(split + 2));
  if (signatures.length === 0) throw new Error('the note has no signatures');
  return { text, signatures };
}

export interface OpenedNote {
  text: string;
  signatures: NoteSignature[];
  /** Signatures by the given verifiers that verify (with the cosignature timestamps). */
  verified: Array<{ verifier: NoteVerifier; timestamp: number; line: string }>;
}

/**
 * Parses a note and checks every signature made by one of `verifiers` (matched by name and key
 * ID). A matching signature that does not verify makes the note invalid, as in Go's note.Open;
 * signatures by unknown keys are ignored. The caller decides which verified signers it requires.
 */
export function openNote(note: string, verifiers: NoteVerifier[]): OpenedNote {
  const { text, signatures } = parseNote(note);
  const body = Buffer.from(text);
  const verified: OpenedNote['verified'] = [];
  for (const s of signatures) {
    const v = verifiers.find((k) => k.name === s.name && k.keyId.equals(s.keyId));
    if (!v) continue;
    const ok = v.verify(body, s.sig);
    if (!ok) throw new Error(`signature by ${s.name} (${s.keyId.toString('hex')}) does not verify`);
    if (!verified.some((x) => x.verifier === v)) verified.push({ verifier: v, timestamp: ok.timestamp, line: s.line });
  }
  return { text, signatures, verified };
}
