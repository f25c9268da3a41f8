/**
 * The OpenAPI document as a contract, checked on live answers (issue 18): with
 * PARLEY_CONTRACT_CHECK=1 every node built by startTestParley checks each answer it sends against
 * its own /docs/openapi.json — the route must be documented, the status listed (exactly, or by its
 * NXX range), the media type listed and a JSON body valid under the schema (Ajv, JSON Schema
 * 2020-12). Mismatches are collected here; contractSetup.ts fails the test file that caused them.
 * Generic on purpose: it knows no route, so routes added later are checked the same way.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { specPath } from '../routes/docs/openapi.js';

type Json = Record<string, any>;
export interface Mismatch {
  route: string;
  status: number;
  problem: string;
}

export const contractMismatches: Mismatch[] = [];
export const contractStats = { checked: 0 };

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
const COMPONENTS_ID = 'urn:parley:openapi-components';

/** Validators of one document (the same document is shared by every node of a run). */
class SpecChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: false });
  private readonly compiled = new Map<string, ValidateFunction>();
  constructor(readonly spec: Json) {
    addFormats(this.ajv);
    this.ajv.addFormat('binary', true);
    const schemas = JSON.parse(JSON.stringify(spec.components?.schemas ?? {}).replaceAll('"#/components/schemas/', '"#/$defs/'));
    this.ajv.addSchema({ $id: COMPONENTS_ID, $defs: schemas });
  }

  validator(key: string, schema: unknown): ValidateFunction {
    let v = this.compiled.get(key);
    if (!v) {
      const rewritten = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', `"${COMPONENTS_ID}#/$defs/`));
      v = this.ajv.compile(rewritten);
      this.compiled.set(key, v);
    }
    return v;
  }
}

const checkers = new Map<string, SpecChecker>();
const checkerOf = new WeakMap<FastifyInstance, SpecChecker>();

function checker(app: FastifyInstance): SpecChecker {
  let c = checkerOf.get(app);
  if (!c) {
    const spec = app.swagger() as Json;
    const hash = createHash('sha256').update(JSON.stringify(spec)).digest('hex');
    c = checkers.get(hash) ?? new SpecChecker(spec);
    checkers.set(hash, c);
    checkerOf.set(app, c);
  }
  return c;
}

const mediaMatches = (documented: string, actual: string) => {
  if (documented === '*/*' || documented === actual) return true;
  return documented.endsWith('/*') && actual.startsWith(documented.slice(0, -1));
};

/** The problem with this answer, or null when it keeps the contract. */
export function contractProblem(app: FastifyInstance, req: FastifyRequest, reply: FastifyReply, payload: unknown): { route: string; problem: string } | null {
  const url = req.routeOptions.url;
  // Unknown URLs (the not-found handler) and HEAD (GET's answer without a body) have no operation of their own.
  if (url === undefined || req.method === 'HEAD') return null;
  const c = checker(app);
  const path = specPath(url);
  const route = `${req.method} ${path}`;
  const op = c.spec.paths?.[path]?.[req.method.toLowerCase()] as Json | undefined;
  if (!op) return { route, problem: 'served but not in the OpenAPI document' };
  const status = reply.statusCode;
  const statusKey = [String(status), `${Math.floor(status / 100)}XX`, 'default'].find((k) => op.responses?.[k]);
  if (!statusKey) return { route, problem: `status ${status} is not documented (documented: ${Object.keys(op.responses ?? {}).join(', ')})` };
  let response = op.responses[statusKey] as Json;
  if (typeof response.$ref === 'string') response = c.spec.components.responses[response.$ref.split('/').pop()!];
  const empty = payload === undefined || payload === null || payload === '' || (Buffer.isBuffer(payload) && payload.length === 0);
  if (!response.content) return empty ? null : { route, problem: `status ${status} documents no body, but one was sent` };
  const media = String(reply.getHeader('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const key = Object.keys(response.content).find((k) => mediaMatches(k, media));
  if (!key) return { route, problem: `status ${status} answered ${media || 'no content-type'}, documented: ${Object.keys(response.content).join(', ')}` };
  const isJson = media === 'application/json' || media.endsWith('+json');
  if (!isJson || !(typeof payload === 'string' || Buffer.isBuffer(payload))) return null; // streams and non-JSON bodies: media type only
  let body: unknown;
  try {
    body = JSON.parse(String(payload));
  } catch {
    return { route, problem: `status ${status} body is not JSON` };
  }
  const validate = c.validator(`${route} ${statusKey} ${key}`, response.content[key].schema ?? {});
  if (validate(body)) return null;
  const e = validate.errors?.[0];
  return { route, problem: `status ${status} body: ${e?.instancePath || '/'} ${e?.message} ${e?.params ? JSON.stringify(e.params) : ''} — ${String(payload).slice(0, 300)}` };
}

/** Adds the check to a node (before it is ready). */
export function watchContract(app: FastifyInstance): void {
  app.addHook('onSend', async (req, reply, payload) => {
    contractStats.checked++;
    const found = contractProblem(app, req, reply, payload);
    if (found) contractMismatches.push({ ...found, status: reply.statusCode });
    return payload;
  });
}
