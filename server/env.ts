/**
 * Configuration, parsed once at boot. Every problem is listed before exiting, so an operator fixes
 * them all in one go. Documented in the README's configuration table; keep the two in sync.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseRateLimits, type RateLimitSettings } from './security/abuseLimits.js';
import { parseAllowedNetworks, type Network } from './security/publicAddress.js';
import { trustedKeysFrom, type TrustedKey } from './security/release.js';
import { PUBLIC_DIR } from './paths.js';
import { releaseLogOrigin } from './security/releaseTlog.js';
import { parseWitnesses, type WitnessConfig } from './security/tlog/cosignatures.js';
import { auditSigningKeyFrom, type AuditSigningKey } from './security/auditTlog.js';
import { parsePageMonitor, type PageMonitorConfig } from './security/pageMonitorJob.js';

export interface Env {
  port: number;
  host: string;
  publicUrl: string;
  /** Origin of publicUrl, compared exactly with Origin headers. */
  publicOrigin: string;
  dataDir: string;
  databaseUrl: string | null;
  /**
   * KEYSTORE_URL: where the wrapped tenant keys live with DATABASE_URL — another PostgreSQL database,
   * or a schema (`?schema=NAME`). Null: schema parley_keys of DATABASE_URL (with a boot warning).
   * Embedded mode always uses DATA_DIR/keystore.sqlite.
   */
  keystoreUrl: string | null;
  redisUrl: string | null;
  /** 32 bytes: signs visitor tokens. Generated into DATA_DIR on first embedded start when unset. */
  secretKey: Buffer;
  demo: boolean;
  demoPort: number;
  logLevel: string;
  cookieSecure: boolean;
  trustProxy: boolean;
  nodeId: string;
  /** Realtime abuse limits per minute (LIMITS.rate, overridden by RATE_LIMITS); null when RATE_LIMITS=off. */
  rateLimits: RateLimitSettings | null;
  /** Non-public networks webhooks may still reach (WEBHOOK_ALLOWED_NETWORKS); empty: public addresses only. */
  webhookAllowedNetworks: Network[];
  /** smtp(s)://user:pass@host:port — where email goes (incident alerts, transcripts). */
  smtpUrl: string | null;
  mailFrom: string;
  /** 32 bytes wrapping every tenant's data keys. Generated into DATA_DIR in embedded mode; required with DATABASE_URL. */
  masterKey: Buffer;
  /** The master key being replaced, accepted for unwrapping during a master-key rotation (MASTER_KEY_PREVIOUS). */
  masterKeyPrevious: Buffer | null;
  /** Built public files with their signed manifest (PUBLIC_DIR, default dist/public). */
  publicDir: string;
  /** Ed25519 keys whose release signatures are trusted (RELEASE_PUBLIC_KEY, else the local dev key). */
  releaseKeys: TrustedKey[];
  releaseTrust: 'config' | 'dev-key' | 'none';
  /** How often served files are re-verified on disk (RELEASE_RECHECK_MS, ≤ 20 s). */
  releaseRecheckMs: number;
  /** DATABASE_WAIT_SECONDS: how long a booting node waits for an unreachable PostgreSQL (0: exit at once). */
  databaseWaitSeconds: number;
  /** Bearer token /metrics requires (METRICS_TOKEN); null: /metrics is open (keep it off the public network). */
  metricsToken: string | null;
  /** Identity JWTs: `exp` required (IDENTITY_JWT_REQUIRE_EXP) and at most IDENTITY_JWT_MAX_SECONDS away. */
  identityJwt: { requireExp: boolean; maxLifetimeSeconds: number };
  /** DEMO_ALLOW_SKIMMER_SIMULATION: lets /demo/checkout?simulate=skimmer inject a test skimmer (attack tests only). */
  demoSkimmerSimulation: boolean;
  /** SSO_ALLOW_HTTP_LOOPBACK: lets a tenant's OpenID issuer be plain http on loopback (tests, local development). */
  ssoAllowHttpLoopback: boolean;
  /** Transparency logs (issue 16): the release log's origin line (RELEASE_LOG_ORIGIN). */
  releaseLogOrigin: string;
  /** TLOG_WITNESSES: witnesses asked to cosign the release and audit checkpoints. */
  witnesses: WitnessConfig[];
  /** How often checkpoints are re-submitted to witnesses that have not cosigned them (TLOG_WITNESS_INTERVAL_MS). */
  witnessIntervalMs: number;
  /** Signs the audit log's checkpoints; never stored in the database (AUDIT_SIGNING_KEY, or DATA_DIR/audit-signing.key). */
  auditSigningKey: AuditSigningKey;
  /** AUDIT_CHECKPOINT_MS: how often the audit log is checkpointed and re-checked against its last checkpoint. */
  auditCheckpointMs: number;
  /** AUDIT_DIGEST_MS: how often each tenant gets the audit.checkpoint webhook and email digest. */
  auditDigestMs: number;
  /** AUDIT_SWEEP_ROWS: older audit entries re-checked against the node's leaf record per checkpoint pass. */
  auditSweepRows: number;
  /** PAGE_MONITOR: tenants' payment pages the node checks (PCI DSS 11.6.1), every PAGE_MONITOR_MS. */
  pageMonitor: PageMonitorConfig[];
  pageMonitorMs: number;
  /** SLA_CHECK_MS: how often each node looks for SLA deadlines that passed (issue 20 item 3). */
  slaCheckMs: number;
  /** DEMO_CONTENT: the demo tenant gets a team, saved replies, articles with the bot on, a second agent and past chats. */
  demoContent: boolean;
}

type Source = Record<string, string | undefined>;

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super('Invalid configuration:\n' + problems.map((p) => '  - ' + p).join('\n'));
  }
}

export function parseEnv(source: Source = process.env): Env {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = source[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
      return fallback;
    }
    return n;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = source[name]?.toLowerCase();
    if (raw === undefined || raw === '') return fallback;
    if (['1', 'true', 'yes'].includes(raw)) return true;
    if (['0', 'false', 'no'].includes(raw)) return false;
    problems.push(`${name} must be true or false (got "${source[name]}")`);
    return fallback;
  };
  const url = (name: string, protocols: string[]): string | null => {
    const raw = source[name];
    if (!raw) return null;
    try {
      const u = new URL(raw);
      if (!protocols.includes(u.protocol)) problems.push(`${name} must use ${protocols.join(' or ')} (got ${u.protocol})`);
      return raw;
    } catch {
      problems.push(`${name} is not a valid URL`);
      return null;
    }
  };

  const port = int('PORT', 3000, 0, 65535);
  const host = source.HOST || '127.0.0.1';
  const publicUrl = (url('PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(/\/+$/, '');
  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const keystoreUrl = url('KEYSTORE_URL', ['postgres:', 'postgresql:']);
  if (keystoreUrl && !databaseUrl) problems.push('KEYSTORE_URL applies only with DATABASE_URL (embedded mode keeps the keys in DATA_DIR/keystore.sqlite)');
  if (keystoreUrl && databaseUrl) {
    const u = new URL(keystoreUrl);
    const schema = u.searchParams.get('schema');
    u.searchParams.delete('schema');
    if (schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/i.test(schema)) problems.push('KEYSTORE_URL ?schema= must be a plain identifier (letters, digits, _)');
    // Same database and no schema of its own: the keys would sit next to the data they protect.
    if (schema === null && u.toString() === new URL(databaseUrl).toString()) problems.push('KEYSTORE_URL must name another database than DATABASE_URL, or a schema (?schema=parley_keys)');
  }
  const redisUrl = url('REDIS_URL', ['redis:', 'rediss:']);
  const smtpUrl = url('SMTP_URL', ['smtp:', 'smtps:']);
  const dataDir = resolve(source.DATA_DIR || './data');
  const logLevel = source.LOG_LEVEL || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "${logLevel}")`);
  }
  const demo = bool('DEMO', !databaseUrl);
  const demoPort = int('DEMO_PORT', port === 0 ? 0 : port + 1, 0, 65535);
  const trustProxy = bool('TRUST_PROXY', false);
  const rateLimits = parseRateLimits(source.RATE_LIMITS, problems);
  const webhookAllowedNetworks = parseAllowedNetworks(source.WEBHOOK_ALLOWED_NETWORKS, problems);
  const cookieSecure = bool('COOKIE_SECURE', publicUrl.startsWith('https:'));
  const releaseRecheckMs = int('RELEASE_RECHECK_MS', 10_000, 100, 20_000);
  const demoSkimmerSimulation = bool('DEMO_ALLOW_SKIMMER_SIMULATION', false);
  const ssoAllowHttpLoopback = bool('SSO_ALLOW_HTTP_LOOPBACK', false);
  const databaseWaitSeconds = int('DATABASE_WAIT_SECONDS', 300, 0, 86_400);
  const metricsToken = source.METRICS_TOKEN || null;
  if (metricsToken !== null && metricsToken.length < 16) problems.push('METRICS_TOKEN must be at least 16 characters');
  const identityJwt = { requireExp: bool('IDENTITY_JWT_REQUIRE_EXP', true), maxLifetimeSeconds: int('IDENTITY_JWT_MAX_SECONDS', 3600, 60, 30 * 86400) };
  const demoContent = bool('DEMO_CONTENT', true);
  const releaseTrust = trustedKeysFrom(source);
  problems.push(...releaseTrust.problems);
  const witnesses = parseWitnesses(source.TLOG_WITNESSES, problems);
  const witnessIntervalMs = int('TLOG_WITNESS_INTERVAL_MS', 60_000, 1_000, 3_600_000);
  const auditCheckpointMs = int('AUDIT_CHECKPOINT_MS', 10_000, 100, 60_000);
  const auditDigestMs = int('AUDIT_DIGEST_MS', 86_400_000, 1_000, 30 * 86_400_000);
  const auditSweepRows = int('AUDIT_SWEEP_ROWS', 5_000, 100, 1_000_000);
  const pageMonitor = parsePageMonitor(source.PAGE_MONITOR, problems);
  const pageMonitorMs = int('PAGE_MONITOR_MS', 300_000, 10_000, 7 * 86_400_000);
  const slaCheckMs = int('SLA_CHECK_MS', 10_000, 200, 600_000);

  let secretKey: Buffer | null = null;
  const rawSecret = source.SECRET_KEY;
  if (rawSecret) {
    secretKey = /^[0-9a-f]{64}$/i.test(rawSecret) ? Buffer.from(rawSecret, 'hex') : Buffer.from(rawSecret, 'base64');
    if (secretKey.length !== 32) problems.push('SECRET_KEY must be 32 bytes, as 64 hex characters or base64');
  } else if (databaseUrl || redisUrl) {
    // Several nodes must share one secret; a generated per-node file would split them.
    problems.push('SECRET_KEY is required when DATABASE_URL or REDIS_URL is set (generate one: openssl rand -hex 32)');
  }

  const key32 = (name: string): Buffer | null => {
    const raw = source[name];
    if (!raw) return null;
    const key = /^[0-9a-f]{64}$/i.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
    if (key.length !== 32) problems.push(`${name} must be 32 bytes, as 64 hex characters or base64`);
    return key;
  };
  let masterKey = key32('MASTER_KEY');
  const masterKeyPrevious = key32('MASTER_KEY_PREVIOUS');
  if (!masterKey && databaseUrl) {
    // Every node must unwrap the same tenant keys; a generated per-node file would make data unreadable elsewhere.
    problems.push('MASTER_KEY is required when DATABASE_URL is set (generate one: openssl rand -hex 32)');
  }
  if (masterKey && masterKeyPrevious && masterKey.equals(masterKeyPrevious)) problems.push('MASTER_KEY_PREVIOUS must differ from MASTER_KEY');

  const auditSigningKey = auditSigningKeyFrom(source, dataDir, publicUrl, problems);

  if (problems.length) throw new EnvError(problems);

  if (!secretKey) secretKey = loadOrCreateSecret(dataDir);
  if (!masterKey) masterKey = loadOrCreateSecret(dataDir, 'master.key');
  return {
    port,
    host,
    publicUrl,
    publicOrigin: new URL(publicUrl).origin,
    dataDir,
    databaseUrl,
    keystoreUrl,
    redisUrl,
    secretKey,
    demo,
    demoPort,
    logLevel,
    cookieSecure,
    trustProxy,
    nodeId: source.NODE_ID || randomBytes(4).toString('hex'),
    rateLimits,
    webhookAllowedNetworks,
    smtpUrl,
    mailFrom: source.MAIL_FROM || `Parley <no-reply@${new URL(publicUrl).hostname}>`,
    masterKey,
    masterKeyPrevious,
    publicDir: source.PUBLIC_DIR ? resolve(source.PUBLIC_DIR) : PUBLIC_DIR,
    releaseKeys: releaseTrust.keys,
    releaseTrust: releaseTrust.source,
    releaseRecheckMs,
    metricsToken,
    identityJwt,
    demoSkimmerSimulation,
    ssoAllowHttpLoopback,
    databaseWaitSeconds,
    releaseLogOrigin: releaseLogOrigin(source),
    witnesses,
    witnessIntervalMs,
    auditSigningKey: auditSigningKey!,
    auditCheckpointMs,
    auditDigestMs,
    auditSweepRows,
    pageMonitor,
    pageMonitorMs,
    slaCheckMs,
    demoContent,
  };
}

function loadOrCreateSecret(dataDir: string, name = 'secret.key'): Buffer {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, name);
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  const key = randomBytes(32);
  writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600 });
  return key;
}
