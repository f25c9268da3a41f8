/**
 * The one way Parley sends a request to a tenant's webhook receiver, and where server-side request
 * forgery is stopped. The receiver's name is resolved once, every address it resolves to is judged
 * (security/publicAddress.ts), and the socket connects to exactly the address that was judged: a
 * custom `lookup` for node's http/https, so a name that answers a public address to a check and a
 * private one to the connection (DNS rebinding) cannot slip through. Checked on every attempt,
 * first deliveries, retries and replays alike; redirects are not followed.
 *
 * Plain http only reaches allow-listed networks (WEBHOOK_ALLOWED_NETWORKS); public receivers use https.
 * Why a receiver could not be reached (refused by this policy, unknown name, connection refused,
 * TLS failure, timeout) is told to the operator's log only: the tenant sees one outcome, so the
 * delivery log cannot be used to map the network behind Parley.
 */
import http from 'node:http';
import https from 'node:https';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { isInternalName, judgeAddress, type Network } from '../security/publicAddress.js';
import { AppError } from '../errors.js';

/** What the tenant's delivery log says when there was no HTTP answer, whatever the reason. */
export const UNREACHABLE = 'receiver not reachable';

export type ReceiverOutcome =
  | { status: number; sent: true }
  | { status: null; sent: boolean; reason: string }
  /** `beforeBody` failed: connected, but not a byte of the request was written. */
  | { status: null; sent: false; reason: string; unrecorded: true };

export class BlockedAddressError extends Error {
  readonly code = 'EBLOCKEDADDRESS';
}

/** Whether a judged address may be reached over this protocol. */
const permitted = (verdict: ReturnType<typeof judgeAddress>, protocol: string) => verdict === 'allowed' || (verdict === 'public' && protocol === 'https:');

/** A resolver that answers only with addresses this policy permits, all of them judged. */
export function guardedLookup(allowed: readonly Network[], protocol: string): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      // One refused address refuses the name: an attacker's name may not mix a public answer with a private one.
      const refused = addresses.find((a) => !permitted(judgeAddress(a.address, allowed), protocol));
      if (refused || addresses.length === 0) return callback(new BlockedAddressError(`${hostname} resolves to ${refused?.address ?? 'nothing'}, which webhooks may not reach`), '', 0);
      if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      else callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/** Why `url` may not be used at all before any name is resolved, or null. */
export function refusedLiteral(url: URL, allowed: readonly Network[]): string | null {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `scheme ${url.protocol} is not allowed`;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // Node connects to an IP literal without calling lookup, so literals are judged here.
  if (isIP(host) && !permitted(judgeAddress(host, allowed), url.protocol)) return `${host} is not an address webhooks may reach`;
  return null;
}

/**
 * `beforeBody`: runs once the connection to a judged address is open (after the TLS handshake for
 * https), before any byte of the request — headers or payload — is written; if it fails, the
 * connection is closed with nothing written (outcome `unrecorded`). The deliverer writes the
 * payload's access-audit entry there, so an attempt refused by this policy, or to a receiver that
 * cannot be reached, is not recorded as a delivery, and nothing leaves unrecorded.
 */
export function postToReceiver(target: string, headers: Record<string, string>, body: string, allowed: readonly Network[], timeoutMs: number, beforeBody: () => Promise<void> = async () => {}): Promise<ReceiverOutcome> {
  const url = new URL(target);
  const refused = refusedLiteral(url, allowed);
  if (refused) return Promise.resolve({ status: null, sent: false, reason: refused });
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let sent = false;
    let unrecorded: Error | null = null;
    const req = client.request(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: guardedLookup(allowed, url.protocol),
      agent: false,
    });
    const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs);
    req.on('finish', () => (sent = true));
    req.on('response', (res) => {
      clearTimeout(timer);
      res.resume();
      res.on('error', () => {});
      resolve({ status: res.statusCode ?? 0, sent: true });
      req.destroy();
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (unrecorded) resolve({ status: null, sent: false, reason: `access audit: ${unrecorded.message}`.slice(0, 300), unrecorded: true });
      else resolve({ status: null, sent, reason: `${err.code ?? 'error'}: ${err.message}`.slice(0, 300) });
    });
    // Node writes a request's headers with its first write: nothing is written until the connection
    // is open and beforeBody has succeeded.
    // (agent: false: a fresh socket, still resolving its name when handed over, so its connect event is still to come.)
    req.once('socket', (socket) =>
      socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () =>
        beforeBody().then(
          () => req.end(body),
          (err: Error) => {
            unrecorded = err;
            req.destroy(err);
          },
        ),
      ),
    );
  });
}

const REGISTRATION_LOOKUP_MS = 3000;

/**
 * Checks a receiver URL when it is registered, with a clear error: the same rules as at connect
 * time (which remains the real defence: a name can change what it resolves to after this check).
 * A name that does not resolve yet is accepted unless it is an internal name.
 */
export async function checkReceiverUrl(raw: string, allowed: readonly Network[]): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('validation_failed', 'webhook url is not a valid URL');
  }
  if (url.username || url.password) throw new AppError('validation_failed', 'webhook url must not contain credentials');
  const refuse = () =>
    new AppError('validation_failed', 'webhook url must be https to a public address (an operator can allow internal networks with WEBHOOK_ALLOWED_NETWORKS, where http is accepted too)');
  if (refusedLiteral(url, allowed)) throw refuse();
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return url.toString();
  const addresses = await resolveWithin(host, REGISTRATION_LOOKUP_MS);
  if (addresses.length === 0 ? isInternalName(host) || url.protocol !== 'https:' : addresses.some((a) => !permitted(judgeAddress(a, allowed), url.protocol))) throw refuse();
  return url.toString();
}

function resolveWithin(host: string, ms: number): Promise<string[]> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve([]), ms);
    dnsLookup(host, { all: true }, (err, addresses) => {
      clearTimeout(timer);
      resolve(err ? [] : addresses.map((a) => a.address));
    });
  });
}
