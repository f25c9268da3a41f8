import { randomBytes } from 'node:crypto';
import { pooledRandomBytes } from './randomPool.js';

/** Time-ordered, unguessable ids: 12 hex chars of milliseconds + 16 random hex chars, with a type prefix. */
export function newId(prefix: string): string {
  return `${prefix}_${Date.now().toString(16).padStart(12, '0')}${pooledRandomBytes(8).toString('hex')}`;
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
