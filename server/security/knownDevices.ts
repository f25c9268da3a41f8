/**
 * Known devices: after a successful sign-in the browser gets a long-lived cookie naming the agent
 * and a random device id, signed with SECRET_KEY. A sign-in that presents it for the same agent
 * comes from a device that has signed in before, so a stranger's failed attempts on the account
 * from elsewhere do not block it (security/loginThrottle.ts). Stateless: it proves "this browser
 * once signed in as this agent", nothing more; the password (and code) are still required.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { randomToken } from './ids.js';

export const DEVICE_COOKIE = 'parley_device';
export const DEVICE_TTL_MS = 180 * 24 * 60 * 60 * 1000;

const mac = (secret: Buffer, body: string) => createHmac('sha256', secret).update(`parley-device|${body}`).digest('base64url');

export function issueDevice(secret: Buffer, agentId: string, now = Date.now()): string {
  const body = `${agentId}.${now.toString(36)}.${randomToken(12)}`;
  return `${body}.${mac(secret, body)}`;
}

/** The device id when `cookie` is a valid, unexpired device cookie of `agentId`; else null. */
export function knownDeviceOf(secret: Buffer, cookie: string | undefined, agentId: string, now = Date.now()): string | null {
  if (!cookie || cookie.length > 300) return null;
  const parts = cookie.split('.');
  if (parts.length !== 4) return null;
  const [agent, issued, device, sig] = parts as [string, string, string, string];
  const expected = Buffer.from(mac(secret, `${agent}.${issued}.${device}`));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  if (agent !== agentId || !(now - parseInt(issued, 36) < DEVICE_TTL_MS)) return null;
  return device;
}
