/**
 * Tenant API keys: `pk_` + 32 random bytes (base64url). Only the SHA-256 of the whole key is stored,
 * like session tokens; the first characters are kept to recognise a key in lists.
 */
import { createHash } from 'node:crypto';
import { randomToken } from './ids.js';

export const API_KEY_PREFIX = 'pk_';
export const newApiKey = (): string => API_KEY_PREFIX + randomToken(32);
export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');
export const displayPrefix = (key: string): string => key.slice(0, API_KEY_PREFIX.length + 6);
/** Shape check before any database lookup. */
export const looksLikeApiKey = (s: string): boolean => /^pk_[A-Za-z0-9_-]{43}$/.test(s);
/** Same idea for one-time tokens (invitations). */
export const hashToken = hashApiKey;
