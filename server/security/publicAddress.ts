/**
 * Which network addresses Parley may send a request to on a tenant's behalf (webhooks): public
 * unicast addresses only, unless the operator allow-lists a network (WEBHOOK_ALLOWED_NETWORKS).
 *
 * Every address is read into one 16-byte form (IPv4 as ::ffff:a.b.c.d), so a loopback address is
 * refused however it is spelled (127.1, 2130706433, 0x7f000001, 0177.0.0.1 reach here as
 * 127.0.0.1 through the URL parser; ::ffff:127.0.0.1 and ::ffff:7f00:1 are the same bytes).
 * IPv6 is public only inside global unicast 2000::/3, and addresses that wrap an IPv4 one (NAT64
 * 64:ff9b::/96, 6to4 2002::/16, IPv4-mapped) are judged by the IPv4 address they carry.
 */
import { isIP } from 'node:net';

/** An address or network as 16 bytes and a prefix length over those 128 bits. */
export interface Network {
  bytes: Uint8Array;
  prefix: number;
}

function v4Bytes(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return null;
  return parts.map(Number);
}

/** 16 bytes for an IPv4 or IPv6 address in canonical text (what URL and DNS give), or null. */
export function addressBytes(text: string): Uint8Array | null {
  const ip = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIP(ip) === 4) return Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4Bytes(ip)!]);
  if (isIP(ip) !== 6 || ip.includes('%')) return null;
  // A dotted IPv4 tail (::ffff:127.0.0.1) becomes its two hex groups.
  const lastColon = ip.lastIndexOf(':');
  const v4 = ip.includes('.') ? v4Bytes(ip.slice(lastColon + 1)) : null;
  const hex = v4 ? `${ip.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}` : ip;
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const [left, right] = hex.includes('::') ? (hex.split('::') as [string, string]) : [hex, null];
  const l = groups(left);
  const r = right === null ? [] : groups(right);
  const words = right === null ? l : [...l, ...Array<number>(8 - l.length - r.length).fill(0), ...r];
  if (words.length !== 8 || words.some((w) => !(w >= 0 && w <= 0xffff))) return null;
  return Uint8Array.from(words.flatMap((w) => [w >> 8, w & 0xff]));
}

/** "10.0.0.0/8", "fd00::/8", or one address ("192.168.1.5" is /32). */
export function parseNetwork(text: string): Network | null {
  const [ip, len] = text.trim().split('/') as [string, string | undefined];
  const bytes = addressBytes(ip);
  if (!bytes) return null;
  const v4 = isIP(ip) === 4;
  const max = v4 ? 32 : 128;
  const n = len === undefined ? max : /^\d{1,3}$/.test(len) ? Number(len) : NaN;
  if (!(n >= 0 && n <= max)) return null;
  return { bytes, prefix: v4 ? 96 + n : n };
}

export function inNetwork(bytes: Uint8Array, net: Network): boolean {
  for (let bit = 0; bit < net.prefix; bit += 8) {
    const take = Math.min(8, net.prefix - bit);
    const mask = (0xff << (8 - take)) & 0xff;
    if ((bytes[bit / 8]! & mask) !== (net.bytes[bit / 8]! & mask)) return false;
  }
  return true;
}

const nets = (list: string[]) => list.map((n) => parseNetwork(n)!);

/** IPv4 special-purpose ranges (IANA registry): none of them is a public host. */
const NOT_PUBLIC_V4 = nets([
  '0.0.0.0/8', // "this network"; 0.0.0.0 reaches the local host on Linux
  '10.0.0.0/8',
  '100.64.0.0/10', // carrier-grade NAT
  '127.0.0.0/8',
  '169.254.0.0/16', // link-local, cloud metadata (169.254.169.254)
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24', // 6to4 relay anycast
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, and 255.255.255.255
]);
const V4_MAPPED = parseNetwork('::ffff:0:0/96')!;
const GLOBAL_UNICAST_V6 = parseNetwork('2000::/3')!;
const NOT_PUBLIC_V6 = nets(['2001::/23', '2001:db8::/32', '3fff::/20']);
/** Prefixes that carry an IPv4 address, and where: judged by that address. */
const WRAPS_V4: Array<[Network, number]> = [
  [parseNetwork('64:ff9b::/96')!, 12], // NAT64
  [parseNetwork('2002::/16')!, 2], // 6to4
];

export function isPublicAddress(bytes: Uint8Array): boolean {
  if (inNetwork(bytes, V4_MAPPED)) return !NOT_PUBLIC_V4.some((n) => inNetwork(bytes, n));
  for (const [net, at] of WRAPS_V4) {
    if (inNetwork(bytes, net)) return isPublicAddress(Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...bytes.subarray(at, at + 4)]));
  }
  // Outside 2000::/3 is loopback, unspecified, ULA fc00::/7, link-local fe80::/10, multicast, 64:ff9b:1::/48…
  return inNetwork(bytes, GLOBAL_UNICAST_V6) && !NOT_PUBLIC_V6.some((n) => inNetwork(bytes, n));
}

export type AddressVerdict = 'public' | 'allowed' | 'blocked';

/** An address text (as DNS or a URL gives it) judged against the operator's allow-list. */
export function judgeAddress(text: string, allowed: readonly Network[]): AddressVerdict {
  const bytes = addressBytes(text);
  if (!bytes) return 'blocked';
  if (allowed.some((n) => inNetwork(bytes, n))) return 'allowed';
  return isPublicAddress(bytes) ? 'public' : 'blocked';
}

/** Names that only mean something inside a network: never a public receiver. */
export function isInternalName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  if (!name.includes('.')) return true; // "localhost", "metadata", "instance-data", "intranet"
  return /\.(localhost|local|internal|intranet|localdomain|lan|home\.arpa|corp)$/.test(name);
}

/** WEBHOOK_ALLOWED_NETWORKS: comma-separated addresses or CIDR networks. */
export function parseAllowedNetworks(raw: string | undefined, problems: string[]): Network[] {
  if (!raw || raw.trim() === '') return [];
  const out: Network[] = [];
  for (const part of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const net = parseNetwork(part);
    if (net) out.push(net);
    else problems.push(`WEBHOOK_ALLOWED_NETWORKS: "${part.slice(0, 60)}" is not an IP address or CIDR network (e.g. 10.0.0.0/8, fd00::/8, 127.0.0.1)`);
  }
  return out;
}
