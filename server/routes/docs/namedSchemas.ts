/**
 * Turns the schemas inlined by @fastify/swagger into named components: every schema exported by
 * protocol/* that appears in the document (as a whole body or nested in one) becomes
 * `#/components/schemas/<ExportName>` and a `$ref` where it appeared. Matching is structural, so
 * a route written tomorrow with a protocol schema gets its name without being listed anywhere.
 * Also rewrites draft-07 tuples (`items: [...]`) into 2020-12 `prefixItems`.
 */
import * as records from '../../../protocol/records.js';
import * as http from '../../../protocol/http.js';
import * as admin from '../../../protocol/admin.js';
import * as contactCentre from '../../../protocol/contactCentre.js';
import * as csp from '../../../protocol/csp.js';
import * as apiResponses from '../../../protocol/apiResponses.js';

type Json = Record<string, any>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON with sorted keys: equal schemas give equal strings. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

/** A plain JSON copy in the 2020-12 dialect: tuples as prefixItems, no $id. */
export function normalise(v: unknown): any {
  if (Array.isArray(v)) return v.map(normalise);
  if (!isObject(v)) return v;
  const out: Json = {};
  for (const [k, x] of Object.entries(v)) if (k !== '$id' && k !== '$schema') out[k] = normalise(x);
  if (Array.isArray(out.items)) {
    out.prefixItems = out.items;
    if (out.additionalItems === false) out.items = false;
    else delete out.items;
    delete out.additionalItems;
  }
  return out;
}

const SOURCES: Record<string, unknown>[] = [records, http, admin, contactCentre, csp, apiResponses];

/** Exported object and union schemas of protocol/*, by export name (first module wins on a name clash). */
function protocolSchemas(): Array<[string, Json]> {
  const seen = new Map<string, Json>();
  for (const mod of SOURCES) {
    for (const [name, value] of Object.entries(mod)) {
      if (!/^[A-Z][A-Za-z0-9]*$/.test(name) || seen.has(name) || !isObject(value)) continue;
      if (value.type === 'object' || Array.isArray(value.anyOf)) seen.set(name, normalise(value));
    }
  }
  // Smaller first: a bigger schema is compared after its parts became references.
  return [...seen.entries()].sort((a, b) => canonical(a[1]).length - canonical(b[1]).length || a[0].localeCompare(b[0]));
}

export class SchemaNamer {
  private readonly byShape = new Map<string, string>();
  readonly schemas: Record<string, Json> = {};

  constructor(extra: Record<string, Json> = {}) {
    for (const [name, schema] of [...Object.entries(extra), ...protocolSchemas()]) {
      const named = this.refify(schema, name);
      const key = canonical(named);
      if (this.byShape.has(key)) continue; // same shape under two names: the first keeps it
      this.byShape.set(key, name);
      this.schemas[name] = named;
    }
  }

  /** The node with every known schema inside it (and itself, unless it is `self`) as a $ref. */
  refify(node: unknown, self?: string): any {
    if (Array.isArray(node)) return node.map((x) => this.refify(x));
    if (!isObject(node)) return node;
    const out: Json = {};
    for (const [k, v] of Object.entries(node)) out[k] = k === 'enum' || k === 'const' || k === 'examples' || k === 'default' ? v : this.refify(v);
    const name = this.byShape.get(canonical(out));
    return name && name !== self ? { $ref: `#/components/schemas/${name}` } : out;
  }

  /** The components reachable from `doc` (transitively), so unused protocol schemas stay out. */
  used(doc: unknown): Record<string, Json> {
    const found = new Set<string>();
    const visit = (v: unknown): void => {
      if (Array.isArray(v)) return v.forEach(visit);
      if (!isObject(v)) return;
      const ref = typeof v.$ref === 'string' ? /^#\/components\/schemas\/(.+)$/.exec(v.$ref)?.[1] : undefined;
      if (ref && !found.has(ref) && this.schemas[ref]) {
        found.add(ref);
        visit(this.schemas[ref]);
      }
      Object.values(v).forEach(visit);
    };
    visit(doc);
    return Object.fromEntries([...found].sort().map((n) => [n, this.schemas[n]!]));
  }
}
