/**
 * Request checks against the catalog's rules (./rules.ts, generated): required fields, JSON types
 * and enums of the body, required query parameters, and "one of" groups. The first problem found
 * becomes a `400 PARAM_ERROR` whose message names the field as the service does:
 *
 * - missing: `输入源“/body/amount/total”映射到字段“总金额”必填性规则校验失败，此字段为必填项`
 *   (the wording of a live answer quoted in Javen205/IJPay#79 and hpyer/node-easywechat#69);
 * - wrong type: `无法将 JSON 输入源“/body/amount/total”映射到目标字段“总金额”中，此字段需要一个合法的 64 位有符号整数`
 *   (a live answer quoted in TheNorthMemory/wechatpay-axios-plugin#38);
 * - not one of the enum's values, or none of a "one of" group: the same form.
 * @module
 */

/**
 * One field's rule.
 * @example
 * ```ts
 * const total: FieldRule = { type: 'integer', title: '总金额' };
 * ```
 */
export interface FieldRule {
  type?: string;
  /** The field's name in messages (the catalog's description). */
  title?: string;
  enum?: ReadonlyArray<string | number | boolean>;
  required?: readonly string[];
  properties?: Readonly<Record<string, FieldRule>>;
  items?: FieldRule;
}

/**
 * One query parameter's rule.
 * @example
 * ```ts
 * const mchid: QueryRule = { type: 'string', title: '直连商户号', required: true };
 * ```
 */
export interface QueryRule {
  type?: string;
  title?: string;
  enum?: ReadonlyArray<string | number | boolean>;
  required?: boolean;
}

/**
 * One endpoint's rules.
 * @example
 * ```ts
 * const rules: EndpointRules = { query: { mchid: { type: 'string', title: '直连商户号', required: true } } };
 * ```
 */
export interface EndpointRules {
  query?: Readonly<Record<string, QueryRule>>;
  body?: FieldRule;
  /** Groups of top-level body fields of which at least one must be given. */
  oneOf?: ReadonlyArray<readonly string[]>;
}

/**
 * A request field that breaks a rule, as the sandbox reports it.
 * @example
 * ```ts
 * const problem: ParamProblem = { field: 'amount.total', location: 'body', message: '…' };
 * ```
 */
export interface ParamProblem {
  /** Dotted path (`amount.total`, `goods_detail[0].unit_price`). */
  field: string;
  location: 'body' | 'query';
  message: string;
  /** The value given, when one was. */
  value?: unknown;
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  integer: '一个合法的 64 位有符号整数',
  number: '一个合法的数值',
  string: '一个合法的字符串',
  boolean: '一个合法的布尔值',
  object: '一个 JSON 对象',
  array: '一个 JSON 数组',
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'integer':
      return Number.isSafeInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
    default:
      return true;
  }
}

/** Missing for the service: absent, null, or an empty string. */
function missing(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

interface At {
  field: string;
  source: string;
  location: ParamProblem['location'];
}

function child(at: At, name: string | number): At {
  return typeof name === 'number'
    ? { field: `${at.field}[${name}]`, source: `${at.source}/${name}`, location: at.location }
    : { field: at.field === '' ? name : `${at.field}.${name}`, source: `${at.source}/${name}`, location: at.location };
}

function requiredProblem(at: At, rule: FieldRule | undefined, name: string): ParamProblem {
  return { field: at.field, location: at.location, value: '', message: `输入源“${at.source}”映射到字段“${rule?.title ?? name}”必填性规则校验失败，此字段为必填项` };
}

function checkValue(value: unknown, rule: FieldRule, at: At, name: string): ParamProblem | undefined {
  const title = rule.title ?? name;
  if (rule.type !== undefined && !hasType(value, rule.type)) {
    return { field: at.field, location: at.location, value, message: `无法将 JSON 输入源“${at.source}”映射到目标字段“${title}”中，此字段需要${TYPE_WORDS[rule.type] ?? rule.type}` };
  }
  if (rule.enum && !rule.enum.includes(value as string | number | boolean)) {
    return { field: at.field, location: at.location, value, message: `输入源“${at.source}”映射到字段“${title}”枚举值规则校验失败，可选值为 ${rule.enum.join('、')}` };
  }
  if (isPlainObject(value)) {
    for (const required of rule.required ?? []) {
      if (missing(value[required])) return requiredProblem(child(at, required), rule.properties?.[required], required);
    }
    for (const [key, sub] of Object.entries(rule.properties ?? {})) {
      const given = value[key];
      if (given === undefined || given === null) continue;
      const problem = checkValue(given, sub, child(at, key), key);
      if (problem) return problem;
    }
  }
  if (Array.isArray(value) && rule.items) {
    for (let i = 0; i < value.length; i++) {
      const problem = checkValue(value[i], rule.items, child(at, i), name);
      if (problem) return problem;
    }
  }
  return undefined;
}

/**
 * The first problem of a request against an endpoint's rules, or undefined.
 * @example
 * ```ts
 * validateRequest(SANDBOX_RULES['POST v3/pay/transactions/native']!, { body: { appid: 'wx…' } });
 * // { field: 'mchid', location: 'body', message: '输入源“/body/mchid”映射到字段“直连商户号”必填性规则校验失败，此字段为必填项', value: '' }
 * ```
 */
export function validateRequest(rules: EndpointRules, request: { body?: unknown; query?: URLSearchParams }): ParamProblem | undefined {
  for (const [name, rule] of Object.entries(rules.query ?? {})) {
    const value = request.query?.get(name) ?? undefined;
    const at: At = { field: name, source: `/query/${name}`, location: 'query' };
    if (rule.required === true && missing(value)) return requiredProblem(at, { title: rule.title }, name);
    if (value !== undefined && rule.enum && !rule.enum.includes(value)) return checkValue(value, { title: rule.title, enum: rule.enum }, at, name);
  }
  if (rules.body) {
    const root: At = { field: '', source: '/body', location: 'body' };
    if (!isPlainObject(request.body)) return { field: '', location: 'body', message: '请求体必须是一个 JSON 对象' };
    const problem = checkValue(request.body, rules.body, root, 'body');
    if (problem) return problem;
    for (const group of rules.oneOf ?? []) {
      if (group.every((name) => missing((request.body as Record<string, unknown>)[name]))) {
        const names = group.map((name) => `“/body/${name}”(${rules.body?.properties?.[name]?.title ?? name})`).join('与');
        return { field: group.join('|'), location: 'body', value: '', message: `输入源${names}不能同时为空，须填写其中之一` };
      }
    }
  }
  return undefined;
}
