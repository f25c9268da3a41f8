/**
 * Example inputs built from an OpenAPI schema, shared by the class-level tests that call every
 * operation of /docs/openapi.json (routes/docs/securityAsEnforced.test.ts, auditAsEnforced.test.ts):
 * a test file cannot import another without running its tests too.
 */
type Json = Record<string, any>;

/** Strings tried, in order, for a `pattern`: the first that matches (and fits the lengths) is used. */
const PATTERN_CANDIDATES = ['abc', 'a@example.com', '123456', '2026-01-01', '#112233', '09:00', '0123456789abcdef', 'att_abc', 'https://example.com/x', 'abc-def_1'];

/** A value valid under `schema` (resolving `#/components/schemas/…`), built from its constraints. */
export function exampleOf(schema: Json | undefined, spec: Json, depth = 0): unknown {
  if (!schema || depth > 12) return undefined;
  if (typeof schema.$ref === 'string') return exampleOf(spec.components.schemas[schema.$ref.split('/').pop()!], spec, depth + 1);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  const alt = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(alt)) return exampleOf(alt.find((s: Json) => s.type !== 'null') ?? alt[0], spec, depth + 1);
  if (Array.isArray(schema.allOf)) return Object.assign({}, ...schema.allOf.map((s: Json) => exampleOf(s, spec, depth + 1)));
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const out: Json = {};
      for (const name of schema.required ?? []) out[name] = exampleOf(schema.properties?.[name], spec, depth + 1);
      return out;
    }
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, (_, i) => {
        const item = exampleOf(schema.prefixItems?.[i] ?? schema.items, spec, depth + 1);
        return typeof item === 'string' && schema.uniqueItems ? `${item}${i}` : item;
      });
    case 'integer':
    case 'number':
      return schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 1);
    case 'boolean':
      return false;
    case 'null':
      return null;
    case 'string': {
      if (schema.format === 'date-time') return '2026-01-01T00:00:00Z';
      if (schema.format === 'email') return 'a@example.com';
      if (schema.format === 'uri') return 'https://example.com/x';
      const min = schema.minLength ?? 0;
      const max = schema.maxLength ?? Infinity;
      const fits = (s: string) => s.length >= min && s.length <= max;
      if (schema.pattern) {
        const re = new RegExp(schema.pattern, 'u');
        const found = PATTERN_CANDIDATES.find((s) => re.test(s) && fits(s));
        if (found) return found;
      }
      return 'x'.repeat(Math.max(min, Math.min(3, max)));
    }
    default:
      return {};
  }
}

/** One operation of the document: method, path template and its OpenAPI object. */
export interface Op {
  method: string;
  path: string;
  op: Json;
}
export const operations = (spec: Json): Op[] =>
  Object.entries(spec.paths as Record<string, Record<string, Json>>).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ method: method.toUpperCase(), path, op })));
