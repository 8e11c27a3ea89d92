/**
 * The sandbox's request rules (lib/testing/sandbox/rules.ts): for each endpoint the sandbox
 * serves, the catalog's required fields, JSON types, enums and field names (their descriptions,
 * which the service quotes in its `PARAM_ERROR` messages), and the required query parameters.
 * Generated, because the published package does not ship the catalog's YAML and reading it at run
 * time would cost every sandbox start.
 *
 * Where the catalog and the service disagree it says so in {@link ADJUSTMENTS}: the catalog's
 * `v3/ecommerce/refunds/apply` merges 电商收付通's refund with 个人收款's, whose page lists both
 * order ids as required, while the service takes one order of `transaction_id` or `out_trade_no`.
 * @module
 */
import type { Catalog, Operation, Schema } from './catalog.js';
import { BANNER } from './emit-types.js';

/** Where the rules are written, relative to the repository root. */
export const SANDBOX_RULES_FILE = 'lib/testing/sandbox/rules.ts';

/** The endpoints the sandbox serves, as `METHOD template` (the keys of the generated map). */
export const SANDBOX_ENDPOINTS: readonly string[] = [
  'POST v3/pay/transactions/native',
  'POST v3/pay/transactions/jsapi',
  'POST v3/pay/transactions/app',
  'POST v3/pay/transactions/h5',
  'GET v3/pay/transactions/out-trade-no/{out_trade_no}',
  'GET v3/pay/transactions/id/{transaction_id}',
  'POST v3/pay/transactions/out-trade-no/{out_trade_no}/close',
  'POST v3/refund/domestic/refunds',
  'GET v3/refund/domestic/refunds/{out_refund_no}',
  'POST v3/ecommerce/refunds/apply',
  'GET v3/ecommerce/refunds/id/{refund_id}',
  'GET v3/ecommerce/refunds/out-refund-no/{out_refund_no}',
  'POST v3/ecommerce/refunds/{refund_id}/return-advance',
  'GET v3/ecommerce/refunds/{refund_id}/return-advance',
];

/**
 * Corrections to the catalog, each with its reason: `optional` drops body fields from the
 * top-level `required` list, `oneOf` adds groups of which at least one field must be given.
 */
export const ADJUSTMENTS: Readonly<Record<string, { optional?: readonly string[]; oneOf?: ReadonlyArray<readonly string[]>; reason: string }>> = {
  'POST v3/ecommerce/refunds/apply': {
    optional: ['transaction_id', 'combine_transaction_id'],
    oneOf: [['transaction_id', 'out_trade_no']],
    reason: '电商收付通 refunds one order named by transaction_id or out_trade_no (the catalog merges 个人收款, which requires both ids)',
  },
  'POST v3/refund/domestic/refunds': {
    oneOf: [['transaction_id', 'out_trade_no']],
    reason: 'a refund names its order by transaction_id or out_trade_no (the catalog marks neither required)',
  },
};

/** A field's rule as the sandbox checks it (the shape of the generated data). */
interface FieldRule {
  type?: string;
  title?: string;
  enum?: ReadonlyArray<string | number | boolean>;
  required?: string[];
  properties?: Record<string, FieldRule>;
  items?: FieldRule;
}

const JSON_TYPES = new Set(['string', 'integer', 'number', 'boolean', 'object', 'array']);

/** The catalog's description as a field name: its first line, without a trailing sentence. */
function titleOf(description: string | undefined): string | undefined {
  const first = description?.split('\n')[0]?.trim().split('。')[0]?.trim();
  return first ? first : undefined;
}

function ruleOf(schema: Schema): FieldRule {
  const rule: FieldRule = {};
  if (schema.type !== undefined && JSON_TYPES.has(schema.type)) rule.type = schema.type;
  const title = titleOf(schema.description);
  if (title !== undefined) rule.title = title;
  if (schema.enum) rule.enum = [...schema.enum];
  if (schema.required?.length) rule.required = [...schema.required];
  if (schema.properties) rule.properties = Object.fromEntries(Object.entries(schema.properties).map(([name, child]) => [name, ruleOf(child)]));
  if (schema.items) rule.items = ruleOf(schema.items);
  return rule;
}

function rulesOf(op: Operation, key: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const query = op.parameters.filter((p) => p.in === 'query');
  if (query.length > 0) {
    out.query = Object.fromEntries(
      query.map((p) => {
        const { type, title, enum: values } = ruleOf(p.schema);
        return [p.name, { ...(type ? { type } : {}), ...(title ? { title } : {}), ...(values ? { enum: values } : {}), ...(p.required ? { required: true } : {}) }];
      }),
    );
  }
  if (op.body) {
    const body = ruleOf(op.body.schema);
    const adjust = ADJUSTMENTS[key];
    if (adjust?.optional && body.required) body.required = body.required.filter((name) => !adjust.optional?.includes(name));
    out.body = body;
  }
  const oneOf = ADJUSTMENTS[key]?.oneOf;
  if (oneOf) out.oneOf = oneOf;
  return out;
}

/**
 * The source text of {@link SANDBOX_RULES_FILE}.
 * @throws when an endpoint of {@link SANDBOX_ENDPOINTS} is not in the catalog
 * @example
 * ```ts
 * writeFileSync(SANDBOX_RULES_FILE, emitSandboxRules(readCatalog('vendor/wechatpay-openapi')));
 * ```
 */
export function emitSandboxRules(catalog: Catalog): string {
  const entries = SANDBOX_ENDPOINTS.map((key) => {
    const [method, template] = key.split(' ') as [string, string];
    const op = catalog.operations.find((o) => o.template === template && o.method === method.toLowerCase());
    if (!op) throw new Error(`the sandbox serves ${key}, which the catalog does not have`);
    return `  ${JSON.stringify(key)}: ${JSON.stringify(rulesOf(op, key))},`;
  });
  return `${BANNER}
/**
 * The request rules of the endpoints the sandbox serves, from the endpoint catalog: required
 * fields, JSON types, enums, field names (the catalog's descriptions) and query parameters, with
 * the corrections of scripts/openapi/emit-sandbox-rules.ts (\`oneOf\`). Checked by ./validate.ts.
 * Endpoint data: TheNorthMemory/wechatpay-openapi, MIT License.
 * @module
 */
import type { EndpointRules } from './validate.js';

/**
 * Rules by \`METHOD template\`.
 * @example
 * \`\`\`ts
 * SANDBOX_RULES['POST v3/pay/transactions/native']?.body?.required; // ['appid', 'mchid', …]
 * \`\`\`
 */
export const SANDBOX_RULES: Readonly<Record<string, EndpointRules>> = {
${entries.join('\n')}
};
`;
}
