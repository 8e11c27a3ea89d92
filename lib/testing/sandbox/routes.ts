/**
 * The sandbox's endpoints: the service's (checked against the catalog's rules, then answered from
 * the store) and the control endpoints under `_sandbox/` (no signature needed; a signed call is
 * checked like any other). A route matches the end of the path, so a base URL with a path of its
 * own (a gateway prefix) reaches it too.
 * @module
 */
import { paramError, SandboxError } from './errors.js';
import { SANDBOX_RULES } from './rules.js';
import type { Delivery } from './notifier.js';
import { TRADE_TYPES, type OrderKind, type SandboxStore } from './store.js';
import { validateRequest } from './validate.js';
import { ecommerceApplyView, ecommerceRefundView, refundView, transactionView } from './views.js';

/**
 * What a route answers: a status and a JSON body (none for 204).
 * @example
 * ```ts
 * const answer: Answer = { status: 204 };
 * ```
 */
export interface Answer {
  status: number;
  json?: unknown;
}

/** What a route handler gets. */
interface Context {
  /** Path variables, decoded, in the pattern's order. */
  params: string[];
  query: URLSearchParams;
  /** The JSON body (POST), already checked against the catalog's rules. */
  body: Record<string, unknown>;
}

interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  /** The key of SANDBOX_RULES to check the request against. */
  rules?: string;
  handle(context: Context): Answer;
}

/**
 * What the control endpoints act on besides the store (the sandbox).
 * @example
 * ```ts
 * const host: ControlHost = emulator.sandbox!;
 * ```
 */
export interface ControlHost {
  pay(out_trade_no: string, payer: { openid?: unknown }): unknown;
  settleRefund(out_refund_no: string, status: unknown): unknown;
  readonly deliveries: readonly Delivery[];
}

const ANY_PREFIX = '^(?:/.*)?';
const SEGMENT = '([^/]+)';
const path = (tail: string) => new RegExp(`${ANY_PREFIX}/${tail}$`);
const ok = (json: unknown): Answer => ({ status: 200, json });

function service(store: SandboxStore): Route[] {
  const kinds = Object.keys(TRADE_TYPES) as OrderKind[];
  return [
    ...kinds.map<Route>((kind) => ({
      method: 'POST',
      pattern: path(`v3/pay/transactions/${kind}`),
      rules: `POST v3/pay/transactions/${kind}`,
      handle: ({ body }) => ok(store.place(kind, body)),
    })),
    {
      method: 'GET',
      pattern: path(`v3/pay/transactions/out-trade-no/${SEGMENT}`),
      rules: 'GET v3/pay/transactions/out-trade-no/{out_trade_no}',
      handle: ({ params, query }) => {
        checkMchid(store, query);
        return ok(transactionView(store.order(params[0] as string)));
      },
    },
    {
      method: 'GET',
      pattern: path(`v3/pay/transactions/id/${SEGMENT}`),
      rules: 'GET v3/pay/transactions/id/{transaction_id}',
      handle: ({ params, query }) => {
        checkMchid(store, query);
        return ok(transactionView(store.orderById(params[0] as string)));
      },
    },
    {
      method: 'POST',
      pattern: path(`v3/pay/transactions/out-trade-no/${SEGMENT}/close`),
      rules: 'POST v3/pay/transactions/out-trade-no/{out_trade_no}/close',
      handle: ({ params, body }) => {
        store.close(params[0] as string, body.mchid);
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      pattern: path('v3/refund/domestic/refunds'),
      rules: 'POST v3/refund/domestic/refunds',
      handle: ({ body }) => ok(refundView(store.applyRefund('domestic', body))),
    },
    {
      method: 'GET',
      pattern: path(`v3/refund/domestic/refunds/${SEGMENT}`),
      rules: 'GET v3/refund/domestic/refunds/{out_refund_no}',
      handle: ({ params }) => ok(refundView(store.domesticRefund(params[0] as string))),
    },
    {
      method: 'POST',
      pattern: path('v3/ecommerce/refunds/apply'),
      rules: 'POST v3/ecommerce/refunds/apply',
      handle: ({ body }) => ok(ecommerceApplyView(store.applyRefund('ecommerce', body))),
    },
    {
      method: 'GET',
      pattern: path(`v3/ecommerce/refunds/id/${SEGMENT}`),
      rules: 'GET v3/ecommerce/refunds/id/{refund_id}',
      handle: ({ params, query }) => ok(ecommerceRefundView(store.ecommerceRefund(store.refundById(params[0] as string), query.get('sub_mchid')))),
    },
    {
      method: 'GET',
      pattern: path(`v3/ecommerce/refunds/out-refund-no/${SEGMENT}`),
      rules: 'GET v3/ecommerce/refunds/out-refund-no/{out_refund_no}',
      handle: ({ params, query }) => ok(ecommerceRefundView(store.ecommerceRefund(store.refund(params[0] as string), query.get('sub_mchid')))),
    },
    {
      method: 'POST',
      pattern: path(`v3/ecommerce/refunds/${SEGMENT}/return-advance`),
      rules: 'POST v3/ecommerce/refunds/{refund_id}/return-advance',
      handle: ({ params, body }) => ok(store.returnAdvance(params[0] as string, String(body.sub_mchid))),
    },
    {
      method: 'GET',
      pattern: path(`v3/ecommerce/refunds/${SEGMENT}/return-advance`),
      rules: 'GET v3/ecommerce/refunds/{refund_id}/return-advance',
      handle: ({ params, query }) => ok(store.advanceReturn(params[0] as string, query.get('sub_mchid') as string)),
    },
  ];
}

function checkMchid(store: SandboxStore, query: URLSearchParams): void {
  store.checkMchid(query.get('mchid'), 'mchid');
}

function required(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') {
    throw paramError(`输入源“/body/${field}”映射到字段“${field}”必填性规则校验失败，此字段为必填项`, { field, location: 'body', value: value ?? '' });
  }
  return value;
}

function control(host: ControlHost): Route[] {
  return [
    {
      method: 'POST',
      pattern: path('_sandbox/pay'),
      handle: ({ body }) => {
        const payer = body.payer;
        if (payer !== undefined && (payer === null || typeof payer !== 'object' || Array.isArray(payer))) throw paramError('payer 必须是 JSON 对象，如 {"openid":"o…"}', { field: 'payer', location: 'body', value: payer });
        return ok(host.pay(required(body, 'out_trade_no'), (payer ?? {}) as { openid?: unknown }));
      },
    },
    {
      method: 'POST',
      pattern: path('_sandbox/refund'),
      handle: ({ body }) => ok(host.settleRefund(required(body, 'out_refund_no'), body.status ?? 'SUCCESS')),
    },
    {
      method: 'GET',
      pattern: path('_sandbox/deliveries'),
      // any query parameter filters on the field of that name: ?out_trade_no=T1&status=500
      handle: ({ query }) => ok(host.deliveries.filter((delivery) => [...query].every(([name, value]) => String((delivery as unknown as Record<string, unknown>)[name]) === value))),
    },
  ];
}

const CONTROL = /^(?:\/.*)?\/_sandbox\//;

/**
 * Whether a path is a control endpoint's (`…/_sandbox/…`).
 * @example
 * ```ts
 * isControlPath('/_sandbox/pay'); // true
 * ```
 */
export function isControlPath(pathname: string): boolean {
  return CONTROL.test(pathname);
}

/**
 * The sandbox's router: an answer for the requests it serves, undefined for the others.
 * @example
 * ```ts
 * const route = router(store, host);
 * route('POST', new URL('http://127.0.0.1/v3/pay/transactions/native'), bytes); // { status: 200, json: { code_url } }
 * ```
 */
export function router(store: SandboxStore, host: ControlHost): (method: string, url: URL, body: Buffer) => Answer | undefined {
  const routes = [...service(store), ...control(host)];
  return (method, url, bytes) => {
    const control = isControlPath(url.pathname);
    for (const route of routes) {
      if (route.method !== method) continue;
      const match = route.pattern.exec(url.pathname);
      if (!match) continue;
      try {
        let params: string[];
        try {
          params = match.slice(1).map((segment) => decodeURIComponent(segment));
        } catch {
          throw paramError(`路径 ${url.pathname} 含有不合法的百分号编码`);
        }
        let body: Record<string, unknown> = {};
        if (method === 'POST') {
          let parsed: unknown;
          try {
            parsed = JSON.parse(bytes.toString('utf8'));
          } catch {
            throw paramError('请求体不是合法的 JSON', { location: 'body' });
          }
          if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw paramError('请求体必须是一个 JSON 对象', { location: 'body' });
          body = parsed as Record<string, unknown>;
        }
        const rules = route.rules === undefined ? undefined : SANDBOX_RULES[route.rules];
        const problem = rules ? validateRequest(rules, { body: method === 'POST' ? body : undefined, query: url.searchParams }) : undefined;
        if (problem) throw paramError(problem.message, { field: problem.field, location: problem.location, ...(problem.value === undefined ? {} : { value: problem.value }) });
        return route.handle({ params, query: url.searchParams, body });
      } catch (error) {
        if (error instanceof SandboxError) return { status: error.status, json: error.body() };
        throw error;
      }
    }
    return control ? { status: 404, json: { code: 'NOT_FOUND', message: `沙箱没有控制接口 ${method} ${url.pathname}（有 POST _sandbox/pay、POST _sandbox/refund、GET _sandbox/deliveries）` } } : undefined;
  };
}
