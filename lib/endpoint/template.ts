/**
 * RFC 6570 expansion of an endpoint template with the variables of an options object
 * (uri-template-lite does the expansion; this module refuses what must never be sent).
 * @module
 */
import URITemplate from 'uri-template-lite';
import { ArgumentError } from '../errors.js';

const EXPRESSION = /\{([#&+./;?]?)([^{}]+)\}/g;

interface Expression {
  operator: string;
  names: string[];
}

const cache = new Map<string, Expression[]>();

/**
 * The expressions of a template, cached per template string.
 * @example
 * ```ts
 * expressionsOf('v3/x/{id}{?a,b}'); // [{ operator: '', names: ['id'] }, { operator: '?', names: ['a', 'b'] }]
 * ```
 */
export function expressionsOf(template: string): Expression[] {
  let found = cache.get(template);
  if (found === undefined) {
    found = [];
    for (const match of template.matchAll(EXPRESSION)) {
      const names = (match[2] as string).split(',').map((name) => name.replace(/(?:\*|:\d+)$/, ''));
      found.push({ operator: match[1] as string, names });
    }
    if (cache.size < 4096) cache.set(template, found);
  }
  return found;
}

/**
 * Names of the variables a template needs.
 * @example
 * ```ts
 * variablesOf('v3/ecommerce/refunds/{refund_id}/return-advance'); // ['refund_id']
 * ```
 */
export function variablesOf(template: string): string[] {
  return expressionsOf(template).flatMap((expression) => expression.names);
}

/**
 * Expands `template` with `values`. Path variables (simple `{name}` and `{/name}` expressions)
 * are required: missing, null or empty values are refused, as are `.` and `..` (which would
 * climb out of their segment once a server normalizes the path). Every value is percent-encoded,
 * so `../x?y#z` stays inside its segment. Optional operators (`{?q}`, `{&q}`) may be absent.
 * @throws {ArgumentError} naming the variable and the template
 * @example
 * ```ts
 * expandTemplate('v3/refunds/{refund_id}', { refund_id: '5000' }); // 'v3/refunds/5000'
 * ```
 */
export function expandTemplate(template: string, values: Readonly<Record<string, unknown>>): string {
  const expressions = expressionsOf(template);
  if (expressions.length === 0) return template;
  for (const { operator, names } of expressions) {
    if (operator === '?' || operator === '&' || operator === ';') continue;
    for (const name of names) {
      const value = values[name];
      if (value === undefined || value === null || value === '') {
        throw new ArgumentError(`path variable "${name}" is missing, null or empty (template ${template})`, name);
      }
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'bigint') {
        throw new ArgumentError(`path variable "${name}" must be a string or a number, got ${typeof value}`, name);
      }
      const text = String(value);
      if (text === '.' || text === '..') {
        throw new ArgumentError(`path variable "${name}" must not be "." or ".."`, name);
      }
      if (/\p{Surrogate}/u.test(text)) throw new ArgumentError(`path variable "${name}" holds an unpaired surrogate (not valid Unicode text)`, name);
    }
  }
  return URITemplate.expand(template, values);
}
