/**
 * Turning what a user writes into a URI template, by wechatpay-php's rules.
 *
 * | written                         | becomes                 |
 * |---------------------------------|-------------------------|
 * | `returnAdvance` (property)      | `return-advance`        |
 * | `ComplaintsV2` (property)       | `complaints-v2`         |
 * | `_refund_id_`, `$refund_id$`    | `{refund_id}`           |
 * | `'v3/x/N123Abc'` (literal path) | `v3/x/N123Abc` (as is)  |
 * | `'v3/x/<id>'`, `'v3/x/_id_'`    | `v3/x/{id}`             |
 * @module
 */

const PLACEHOLDER_PROPERTY = /^(?:_(.+)_|\$(.+)\$)$/;
const UPPER = /[A-Z]/g;

/**
 * Normalizes one property name: `camelCase` → `camel-case`, a leading capital lowered,
 * `_name_` / `$name$` → `{name}` (the variable name is kept verbatim).
 * @example
 * ```ts
 * normalizeProperty('returnAdvance'); // 'return-advance'
 * normalizeProperty('_refund_id_');   // '{refund_id}'
 * ```
 */
export function normalizeProperty(name: string): string {
  const placeholder = PLACEHOLDER_PROPERTY.exec(name);
  if (placeholder) return `{${placeholder[1] ?? placeholder[2]}}`;
  if (!/[A-Z]/.test(name)) return name;
  return name.replace(UPPER, (upper, offset: number) => (offset === 0 ? upper.toLowerCase() : `-${upper.toLowerCase()}`));
}

const ANGLE = /<([^<>/{}]+)>/g;
const WHOLE_UNDERSCORE = /^_([^/]+)_$/;

/**
 * Normalizes a literal path (given to `chain()` or as a bracket key containing `/`): the case is
 * kept, `<name>` and a whole `_name_` segment become `{name}`, leading slashes are dropped and a
 * trailing slash survives.
 * @example
 * ```ts
 * normalizeLiteral('/v3/pay/transactions/out-trade-no/N123Abc'); // 'v3/pay/transactions/out-trade-no/N123Abc'
 * normalizeLiteral('v3/applyment4sub/applyment/');             // 'v3/applyment4sub/applyment/'
 * ```
 */
export function normalizeLiteral(path: string): string {
  const trimmed = path.replace(/^\/+/, '');
  return trimmed
    .split('/')
    .map((segment) => {
      const underscore = WHOLE_UNDERSCORE.exec(segment);
      if (underscore && !/[{}<>]/.test(segment)) return `{${underscore[1]}}`;
      return segment.replace(ANGLE, '{$1}');
    })
    .join('/');
}

/**
 * Appends a literal path (already normalized) to a template.
 * @example
 * ```ts
 * joinTemplate('v3/pay', 'transactions/native'); // 'v3/pay/transactions/native'
 * ```
 */
export function joinTemplate(base: string, tail: string): string {
  if (base === '') return tail;
  return base.endsWith('/') ? base + tail : `${base}/${tail}`;
}
