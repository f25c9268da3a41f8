/**
 * Turns a raw WebSocket frame into a validated envelope, or a clear error. Validators are compiled
 * once from the same TypeBox schemas the protocol publishes, one per frame type, so an error names
 * the field that is wrong rather than "does not match any of the union".
 */
import { Compile } from 'typebox/compile';
import type { TSchema, Static } from 'typebox';
import { AppError } from '../errors.js';
import { describeErrors } from '../validation.js';
import { SKIP_KEYS, redactDeep } from '../security/sinkRedaction.js';

/**
 * Frame fields redacted before validation, as HTTP inputs are (security/sinkRedaction.ts): a
 * `clientId` is stored with the message, so one holding a card is refused like an HTTP request's.
 * The body is left to createMessage, which redacts it with the tenant's patterns and the author's
 * earlier messages.
 */
const FRAME_SKIP: ReadonlySet<string> = new Set([...SKIP_KEYS, 'body']);

export interface FrameReader<T> {
  read(raw: unknown): T;
}

const textOf = (raw: unknown): string =>
  Buffer.isBuffer(raw) ? raw.toString('utf8') : Array.isArray(raw) ? Buffer.concat(raw as Buffer[]).toString('utf8') : String(raw);

/**
 * The `clientId` a frame carries, parsed or raw (a frame refused before or during validation),
 * so that every error caused by a send names the send. Raw frames are at most LIMITS.maxFrameBytes.
 */
export function clientIdOf(frame: unknown): string | undefined {
  let value = frame;
  if (typeof frame !== 'object' || frame === null || Buffer.isBuffer(frame) || Array.isArray(frame)) {
    try {
      value = JSON.parse(textOf(frame));
    } catch {
      return undefined;
    }
  }
  const clientId = typeof value === 'object' && value !== null ? (value as { clientId?: unknown }).clientId : undefined;
  return typeof clientId === 'string' ? clientId : undefined;
}

type Schemas = Record<string, TSchema>;

export function frameReader<M extends Schemas>(schemas: M): FrameReader<Static<M[keyof M]>> {
  const validators = new Map(Object.entries(schemas).map(([type, schema]) => [type, Compile(schema)]));
  const known = [...validators.keys()].join(', ');
  return {
    read(raw: unknown) {
      let value: unknown;
      try {
        value = JSON.parse(textOf(raw));
      } catch {
        throw new AppError('bad_request', 'frame is not valid JSON');
      }
      const type = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { type?: unknown }).type : undefined;
      if (typeof type !== 'string') throw new AppError('bad_request', 'frame must be a JSON object with a string "type"');
      const validator = validators.get(type);
      if (!validator) throw new AppError('bad_request', `unknown frame type "${type.slice(0, 40)}"; expected one of ${known}`);
      value = redactDeep(value, FRAME_SKIP);
      if (!validator.Check(value)) {
        const issue = describeErrors([...validator.Errors(value)]);
        throw new AppError('validation_failed', `invalid "${type}" frame: ${issue.instancePath || 'frame'} ${issue.message}`);
      }
      return value as Static<M[keyof M]>;
    },
  };
}
