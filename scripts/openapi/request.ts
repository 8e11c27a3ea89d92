/**
 * What a request to one catalog endpoint takes, as data: its fields (path, query, headers, payload)
 * and the options of an example call. The docs pages (emit-docs.ts) render it as Markdown and
 * TypeScript, the CLI help data (emit-help.ts) stores it as JSON, so both say the same thing.
 * @module
 */
import type { Operation, Parameter, Schema } from './catalog.js';
import { bodySchema, needsOptions } from './emit-types.js';
import { PREFIX_RULES } from './emit-routes.js';
import { docText, key } from './render.js';

/** A value of an example call: what JSON can hold. */
export type Sample = string | number | boolean | Sample[] | { [name: string]: Sample };

/**
 * One request field: a path variable, a query or header parameter, or a payload member (its path
 * inside the payload: `amount.total`, `goods[].name`).
 */
export interface Field {
  name: string;
  type: string;
  required: boolean;
  /** One line, at most 200 characters. */
  description: string;
  /** Allowed values, as text, when the catalog lists them. */
  enum?: string[];
}

/** The request of one operation, grouped as the chain's options group them. */
export interface RequestFields {
  path: Field[];
  query: Field[];
  headers: Field[];
  /** `multipart/form-data` fields (uploads). */
  form: Field[];
  /** The JSON (APIv3) or XML (APIv2) payload; `undefined` when the operation takes none. */
  body: { required: boolean; type: string; fields: Field[] } | undefined;
}

/** The catalog's type of a schema, as the pages print it (`array<string>`, `unknown`). */
export function typeName(schema: Schema): string {
  if (schema.type === 'array') return `array<${typeName(schema.items ?? {})}>`;
  return schema.type ?? 'unknown';
}

function enumOf(schema: Schema): string[] | undefined {
  return schema.enum ? schema.enum.map((v) => String(v)) : undefined;
}

function field(name: string, schema: Schema, required: boolean): Field {
  const out: Field = { name, type: typeName(schema), required, description: docText(schema.description, 200) };
  const values = enumOf(schema);
  if (values) out.enum = values;
  return out;
}

/**
 * The members of an object schema, nested ones by their path (`amount.total`, `goods[].name`),
 * each `required` as its parent object says.
 * @example
 * ```ts
 * schemaFields(op.response).map((f) => f.name); // ['code_url']
 * ```
 */
export function schemaFields(schema: Schema, prefix = ''): Field[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).flatMap(([name, child]) => {
    const path = `${prefix}${name}`;
    const nested = child.type === 'array' ? child.items : child;
    const inner = nested?.properties ? schemaFields(nested, `${path}${child.type === 'array' ? '[].' : '.'}`) : [];
    return [field(path, child, required.has(name)), ...inner];
  });
}

/** A parameter (path, query, header or multipart) as a field. */
export function parameterField(p: Parameter): Field {
  return field(p.name, p.schema, p.required);
}

/**
 * The fields of an operation's request, in catalog order.
 * @example
 * ```ts
 * requestFields(op).path.map((f) => f.name); // ['refund_id']
 * ```
 */
export function requestFields(op: Operation): RequestFields {
  const pick = (where: Operation['parameters'][number]['in']) => op.parameters.filter((p) => p.in === where).map(parameterField);
  const schema = bodySchema(op);
  return {
    path: pick('path'),
    query: pick('query'),
    headers: pick('header'),
    form: pick('formData'),
    body: schema ? { required: needsOptions(op) && op.body?.required === true, type: typeName(schema), fields: schemaFields(schema) } : undefined,
  };
}

/** A value of the right type for an example, taken from the catalog's `example` when it fits. */
function sample(schema: Schema, name: string): Sample {
  if (schema.enum && schema.enum.length > 0 && schema.type !== 'object' && schema.type !== 'array') {
    const first = schema.enum[0]!;
    return schema.type === 'string' ? String(first) : first;
  }
  const example = schema.example;
  switch (schema.type) {
    case 'integer':
    case 'number': {
      const n = typeof example === 'number' ? example : Number(example);
      return Number.isFinite(n) && example !== undefined && example !== '' ? n : 1;
    }
    case 'boolean':
      return typeof example === 'boolean' ? example : true;
    case 'array':
      return [sample(schema.items ?? {}, name)];
    case 'object':
      return objectSample(schema, false);
    case 'string': {
      const text = typeof example === 'string' || typeof example === 'number' ? String(example) : '';
      return text !== '' && text.length <= 64 && !text.includes('\n') ? text : name;
    }
    default:
      // the catalog leaves the type out here: the field is `unknown`, so any value fits
      return typeof example === 'string' && example.length <= 64 && !example.includes('\n') ? example : name;
  }
}

/** Own data properties only: a member named `__proto__` stays a member. */
function record(entries: Array<[string, Sample]>): { [name: string]: Sample } {
  return Object.fromEntries(entries) as { [name: string]: Sample };
}

function objectSample(schema: Schema, top: boolean): { [name: string]: Sample } {
  const props = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  let chosen = props.filter(([n]) => required.has(n));
  // an all-optional payload still shows a few fields, so the example is not empty
  if (chosen.length === 0 && top) chosen = props.filter(([, s]) => s.type !== 'object' && s.type !== 'array').slice(0, 3);
  return record(chosen.map(([n, s]) => [n, sample(s, n)]));
}

/**
 * The options of an example call: the path variables, the required query parameters (a few when
 * none is), and the payload's required members (a few when none is); `undefined` when the call
 * takes no options. Uploads get their path variables only (the media guide covers the rest).
 * @example
 * ```ts
 * exampleOptions(op); // { refund_id: '50000000382019052709732678859', json: { sub_mchid: '1900000109' } }
 * ```
 */
export function exampleOptions(op: Operation): { [name: string]: Sample } | undefined {
  const entries: Array<[string, Sample]> = [];
  for (const p of op.parameters.filter((x) => x.in === 'path')) entries.push([p.name, sample({ ...p.schema, type: 'string' }, p.name)]);
  if (!op.multipart) {
    const query = op.parameters.filter((x) => x.in === 'query');
    const shown = query.some((p) => p.required) ? query.filter((p) => p.required) : query.slice(0, 2);
    if (shown.length) entries.push(['query', record(shown.map((p) => [p.name, sample(p.schema, p.name)]))]);
    const body = bodySchema(op);
    if (body && body.type === 'object') entries.push([op.protocol === 'v2' ? 'xml' : 'json', objectSample(body, true)]);
  }
  // cert-required APIv2 endpoints go over mutual TLS by default, so the examples leave `security` out
  return entries.length ? record(entries) : undefined;
}

/** A string as a single-quoted TypeScript literal. */
export function quote(text: string): string {
  return `'${JSON.stringify(text).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
}

/**
 * An example value as TypeScript source: objects one member a line with a trailing comma, nested
 * ones indented by `depth`, arrays inline.
 * @example
 * ```ts
 * literal({ query: { mchid: '1900000109' } }); // "{\n  query: {\n    mchid: '1900000109',\n  },\n}"
 * ```
 */
export function literal(value: Sample, depth = 0): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => literal(item, depth)).join(', ')}]`;
  const pad = '  '.repeat(depth + 1);
  const lines = Object.entries(value).map(([name, member]) => `${pad}${key(name)}: ${literal(member, depth + 1)},`);
  return lines.length ? `{\n${lines.join('\n')}\n${'  '.repeat(depth)}}` : '{}';
}

/** The title of a path's page and help: its operations' distinct summaries, or the template. */
export function titleOf(ops: readonly Operation[]): string {
  return [...new Set(ops.map((op) => docText(op.summary, 120)).filter(Boolean))].join(' · ') || ops[0]!.template;
}

/** The heading of one operation: its summary, or the template. */
export function summaryOf(op: Operation): string {
  return docText(op.summary, 200) || op.template;
}

/**
 * The origin a path's operations are served by, when it is not the catalog's default (x-base-uri,
 * or a prefix rule such as global/).
 * @example
 * ```ts
 * hostOf(byFile(catalog.operations).get('global/v3/customs/orders')!, catalog.origin); // 'https://apihk.mch.weixin.qq.com'
 * ```
 */
export function hostOf(ops: readonly Operation[], defaultOrigin: string): string | undefined {
  const op = ops[0]!;
  const rule = PREFIX_RULES.find(([prefix]) => op.template.startsWith(prefix));
  const own = ops.find((o) => o.baseURI !== undefined)?.baseURI;
  const origin = own !== undefined ? new URL(own).origin : rule?.[1];
  return origin === undefined || origin === defaultOrigin ? undefined : origin;
}

/**
 * The catalog's operations grouped by file (one docs page, one help entry each), in catalog order.
 * @example
 * ```ts
 * byFile(catalog).get('v3/applyment4sub/applyment/{empty}'); // [post]
 * ```
 */
export function byFile(operations: readonly Operation[]): Map<string, Operation[]> {
  const out = new Map<string, Operation[]>();
  for (const op of operations) {
    const list = out.get(op.file);
    if (list) list.push(op);
    else out.set(op.file, [op]);
  }
  return out;
}
