import { z } from 'zod';

/** One line describing a zod issue: the key path and message, or for unknown keys the keys allowed there. */
export function describeZodIssue(issue: z.core.$ZodIssue, schema: z.ZodType, skip = 0): string {
  const path = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const where = issue.path.length ? ` in ${path}` : '';
    const keys = allowedKeys(schema, issue.path.slice(skip));
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}${where}; allowed keys: ${keys}`;
  }
  return `${path}: ${issue.message}`;
}

/** The keys an object schema allows at `path` below `root`, comma-separated, or '(unknown)'. */
export function allowedKeys(root: z.ZodType, path: readonly PropertyKey[]): string {
  let schema: z.ZodType | undefined = root;
  for (const key of path) {
    schema = unwrap(schema);
    if (schema instanceof z.ZodObject) schema = schema.shape[String(key)] as z.ZodType | undefined;
    else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
    else if (schema instanceof z.ZodRecord) schema = schema.valueType as z.ZodType;
    else return '(unknown)';
    if (!schema) return '(unknown)';
  }
  schema = unwrap(schema);
  if (schema instanceof z.ZodArray) schema = unwrap(schema.element as z.ZodType);
  if (schema instanceof z.ZodRecord) schema = unwrap(schema.valueType as z.ZodType);
  if (schema instanceof z.ZodDiscriminatedUnion) schema = unwrap(schema.options[0] as z.ZodType);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape).join(', ') : '(unknown)';
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    if (s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
    else return s;
  }
}
