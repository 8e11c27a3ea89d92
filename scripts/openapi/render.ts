/**
 * Schema → TypeScript type text, property names for the chain tree, and TSDoc text.
 * @module
 */
import { normalizeProperty } from '../../lib/chain/segments.js';
import type { Operation, Schema } from './catalog.js';

/** Whether a type is read by the caller (`out`, the response) or written (`in`, the request). */
export type Direction = 'in' | 'out';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** A property key as written in a type literal. */
export function key(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

/** One line of TSDoc-safe text, capped so no long prose is copied. */
export function docText(text: string | undefined, max = 160): string {
  if (!text) return '';
  let line = text.replace(/\s+/g, ' ').replace(/\*\//g, '*\\/').replace(/@/g, '＠').trim();
  if (line.length > max) line = `${line.slice(0, max - 1)}…`;
  return line;
}

/**
 * The sentence for an endpoint that needs the merchant API certificate. On APIv2 the client uses
 * it by default (lib/apiv2/cert-required.ts); `security` means nothing on APIv3 (the catalog
 * marks no APIv3 endpoint today), so an APIv3 one would get the plain note.
 * @example
 * ```ts
 * certNote(op, 'sent over mutual TLS by default.'); // 'Needs the merchant API certificate: sent over mutual TLS by default.'
 * ```
 */
export function certNote(op: Operation, v2Default: string): string {
  return op.protocol === 'v2' ? `Needs the merchant API certificate: ${v2Default}` : 'Needs the merchant API certificate (mutual TLS).';
}

/** The TSDoc block of an operation: summary, deprecation and official links. */
export function operationDoc(op: Operation, indent: string): string {
  const lines = [docText(op.summary, 200) || `${op.method.toUpperCase()} ${op.template}`];
  if (op.deprecated) lines.push('@deprecated the catalog marks this endpoint as deprecated');
  if (op.certRequired) lines.push(certNote(op, 'sent over mutual TLS by default (`security` defaults to `true`; `security: false` opts out).'));
  for (const link of op.links) lines.push(`@see ${link}`);
  return `${indent}/**\n${lines.map((l) => `${indent} * ${l}`).join('\n')}\n${indent} */\n`;
}

function literal(value: string | number | boolean, asString: boolean): string {
  return asString ? JSON.stringify(String(value)) : JSON.stringify(value);
}

/**
 * The TypeScript type of a schema. APIv2 responses are decoded from XML text, so their scalar
 * leaves are strings whatever the catalog says.
 */
export function typeOf(schema: Schema, direction: Direction, v2: boolean, indent = ''): string {
  const textOnly = v2 && direction === 'out';
  if (schema.enum && schema.enum.length > 0 && schema.type !== 'object' && schema.type !== 'array') {
    return [...new Set(schema.enum.map((v) => literal(v, textOnly || schema.type === 'string')))].join(' | ');
  }
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return textOnly ? 'string' : 'number';
    case 'boolean':
      return textOnly ? 'string' : 'boolean';
    case 'array': {
      const item = typeOf(schema.items ?? {}, direction, v2, indent);
      return direction === 'in' ? `ReadonlyArray<${item}>` : `Array<${item}>`;
    }
    case 'object':
      return objectOf(schema, direction, v2, indent);
    default:
      return 'unknown';
  }
}

/**
 * Identifiers WeChat Pay takes as alternatives (「二选一」): the catalog marks each of them required,
 * but a request names the order (or refund) by one of them. In request types, when two or more of
 * a group are required, each becomes optional and at least one of them is required.
 */
export const ALTERNATIVE_IDENTIFIERS: ReadonlyArray<readonly string[]> = [
  ['transaction_id', 'out_trade_no', 'combine_transaction_id'],
  ['refund_id', 'out_refund_no'],
];

/** A type literal for an object schema, each property with its description as TSDoc. */
export function objectOf(schema: Schema, direction: Direction, v2: boolean, indent: string): string {
  const entries = Object.entries(schema.properties ?? {});
  if (entries.length === 0) return 'Record<string, unknown>';
  const required = new Set(schema.required ?? []);
  const alternatives: string[][] = [];
  if (direction === 'in') {
    for (const group of ALTERNATIVE_IDENTIFIERS) {
      const present = group.filter((name) => required.has(name) && schema.properties?.[name] !== undefined);
      if (present.length < 2) continue;
      for (const name of present) required.delete(name);
      alternatives.push(present);
    }
  }
  const inner = `${indent}  `;
  const lines = entries.map(([name, child]) => {
    const doc = docText(child.description);
    const optional = required.has(name) ? '' : '?';
    return `${doc ? `${inner}/** ${doc} */\n` : ''}${inner}${key(name)}${optional}: ${typeOf(child, direction, v2, inner)};`;
  });
  const literal = `{\n${lines.join('\n')}\n${indent}}`;
  if (alternatives.length === 0) return literal;
  const oneOf = alternatives.map(
    (group) => `(${group.map((name) => `{ ${key(name)}: ${typeOf(schema.properties?.[name] ?? {}, direction, v2, inner)} }`).join(' | ')})`,
  );
  return `${literal} & ${oneOf.join(' & ')}`;
}

const RESERVED_PROPERTIES = new Set(['then', 'chain', 'toString', 'valueOf', 'toJSON']);

/**
 * The property name that the chain normalizes back to `segment`, or `undefined` when there is none
 * (mixed-case literals such as `addInstitutionsub`, an empty segment from a trailing slash…).
 */
export function propertyFor(segment: string): string | undefined {
  if (segment === '' || segment.includes('/')) return undefined;
  const placeholder = /^\{([^{}]+)\}$/.exec(segment);
  const candidate = placeholder ? `_${placeholder[1]}_` : segment.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
  if (RESERVED_PROPERTIES.has(candidate)) return undefined;
  return normalizeProperty(candidate) === segment ? candidate : undefined;
}
