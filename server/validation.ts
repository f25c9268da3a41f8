/**
 * HTTP validation with TypeBox, the same schema language and compiler as WebSocket frames.
 * Bodies are checked strictly: a number where a string belongs is an error, never coerced.
 * Query strings and path params arrive as text, so they are converted to the schema's types first.
 */
import type { FastifySchemaCompiler } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Convert } from 'typebox/value';

interface ValidationIssue {
  instancePath: string;
  message: string;
}

/** Makes the first TypeBox error readable: unknown fields are named, not reported as "schema is false". */
export function describeErrors(errors: Array<{ keyword: string; schemaPath: string; instancePath: string; message: string }>): ValidationIssue {
  const unknownField = errors.find((e) => e.keyword === 'boolean' && e.schemaPath.endsWith('additionalProperties'));
  if (unknownField) return { instancePath: unknownField.instancePath, message: 'is not a known field' };
  const first = errors.find((e) => e.keyword !== 'boolean') ?? errors[0];
  return { instancePath: first?.instancePath ?? '', message: first?.message ?? 'is invalid' };
}

export const typeboxValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const validator = Compile(schema);
  const convert = httpPart !== 'body';
  return (data: unknown) => {
    const value = convert ? Convert(schema, data) : data;
    if (validator.Check(value)) return { value };
    const issue = describeErrors([...validator.Errors(value)]);
    const error = Object.assign(new Error(issue.message), { validation: [issue] });
    return { error };
  };
};
