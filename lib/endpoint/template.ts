/**
 * RFC 6570 expansion of an endpoint template with the variables of an options object
 * (uri-template-lite does the expansion; this module refuses what must never be sent).
 * @module
 */
import URITemplate from 'uri-template-lite';
import { ArgumentError } from '../errors.js';
import { describeValue, nameForMessage } from '../validate.js';

const EXPRESSION = /\{([#&+./;?]?)([^{}]+)\}/g;

interface Expression {
  operator: string;
  names: string[];
}

const cache = new Map<string, Expression[]>();

/** A template made only of literal text and simple `{name}` expressions, split once. */
interface Simple {
  literals: string[];
  names: string[];
}
const SIMPLE_NAME = /^[-\w%.]+$/;
const simpleCache = new Map<string, Simple | null>();

function simpleOf(template: string, expressions: Expression[]): Simple | null {
  let found = simpleCache.get(template);
  if (found === undefined) {
    found = expressions.every((e) => e.operator === '' && e.names.length === 1 && SIMPLE_NAME.test(e.names[0] as string)) ? { literals: template.split(EXPRESSION).filter((_, i) => i % 3 === 0), names: expressions.map((e) => e.names[0] as string) } : null;
    if (simpleCache.size < 4096) simpleCache.set(template, found);
  }
  return found;
}

// uri-template-lite's simple-expansion encoding: encodeURIComponent plus ! ' ( ) escaped;
// ids made only of unreserved characters (the usual case) are their own encoding
const UNRESERVED = /^[A-Za-z0-9\-._~]*$/;
const encodeSimple = (text: string) =>
  UNRESERVED.test(text) ? text : encodeURIComponent(text).replace(/[!'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

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
 * A template as an error shows it: whole when every segment reads like a name or is a
 * `{variable}` (the templates code writes); else only a short first segment and a count, since
 * the rest may be an order id or a secret written into a literal path — and even short pieces of
 * it, shown side by side, could spell a part of a key.
 * @example
 * ```ts
 * shownTemplate('v3/pay/transactions/out-trade-no/{out_trade_no}'); // '"v3/pay/transactions/out-trade-no/{out_trade_no}"'
 * shownTemplate('v3/x/0123456789abcdef0123456789abcdef');          // '"v3/<34 characters>"'
 * ```
 */
export function shownTemplate(template: string): string {
  const segments = template.split('/');
  const plain = (segment: string) => segment === '' || segment === '.' || segment === '..' || /^\{[^{}]*\}$/.test(segment) || nameForMessage(segment).startsWith('"');
  if (segments.every(plain)) return `"${template.length > 120 ? `${template.slice(0, 120)}…` : template}"`;
  const first = segments[0] as string;
  const head = segments.length > 1 && first.length <= 7 && plain(first) ? `${first}/` : '';
  return `"${head}<${template.length - head.length} characters>"`;
}

const folded = (name: string) => name.replace(/[-_]/g, '').toLowerCase();

/**
 * The option a caller probably meant as the variable `name`: one spelled the same but for case,
 * `-` and `_` (`refundId`, `refund-id`, `REFUND_ID` for `refund_id`) and holding a value.
 * Path variables are written as the catalog writes them (snake_case): nothing is renamed, this
 * only says so in the error.
 * @example
 * ```ts
 * nearSpelling('refund_id', { refundId: '1' }); // 'refundId'
 * nearSpelling('refund_id', { refund: '1' });   // undefined
 * ```
 */
export function nearSpelling(name: string, values: Readonly<Record<string, unknown>>): string | undefined {
  const wanted = folded(name);
  return Object.keys(values).find((key) => key !== name && values[key] !== undefined && folded(key) === wanted);
}

/**
 * Expands `template` with `values`. Path variables (simple `{name}` and `{/name}` expressions)
 * are required: missing, null or empty values are refused, as are `.` and `..` (which would
 * climb out of their segment once a server normalizes the path); an option spelled like a missing
 * variable (`refundId` for `refund_id`) is named. Every value is percent-encoded,
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
        const near = nearSpelling(name, values);
        const hint = near === undefined ? '' : `; you gave "${near}" — did you mean ${name}?`;
        throw new ArgumentError(`path variable "${name}" is missing, null or empty (template ${shownTemplate(template)})${hint}`, name);
      }
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'bigint') {
        throw new ArgumentError(`path variable "${name}" must be a string or a number, got ${describeValue(value)}`, name);
      }
      const text = String(value);
      if (text === '.' || text === '..') {
        throw new ArgumentError(`path variable "${name}" must not be "." or ".."`, name);
      }
      if (!UNRESERVED.test(text) && /\p{Surrogate}/u.test(text)) throw new ArgumentError(`path variable "${name}" holds an unpaired surrogate (not valid Unicode text)`, name);
    }
  }
  // the common case ({name} only) is joined here; the library parses the template on every call
  const simple = simpleOf(template, expressions);
  if (simple === null) return URITemplate.expand(template, values);
  let out = simple.literals[0] as string;
  for (let i = 0; i < simple.names.length; i++) out += encodeSimple(String(values[simple.names[i] as string])) + (simple.literals[i + 1] as string);
  return out;
}
