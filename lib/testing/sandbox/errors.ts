/**
 * The sandbox's business errors: the HTTP status and `{ code, message, detail? }` body the service
 * answers with. Codes and statuses, and where they come from:
 *
 * | code | status | source |
 * |---|---|---|
 * | `PARAM_ERROR` | 400 | live answers (see ./validate.ts); wechatpay-go services/refunddomestic/api_refunds.go |
 * | `INVALID_REQUEST` | 400 | wechatpay-go refunddomestic and profitsharing (`请求参数符合参数格式，但不符合业务规则`) |
 * | `NOT_ENOUGH` | 403 | wechatpay-go profitsharing/api_orders.go (`|NOT_ENOUGH|403|…`), refunddomestic (余额不足) |
 * | `RESOURCE_NOT_EXISTS` | 404 | wechatpay-go profitsharing (`|RESOURCE_NOT_EXISTS|404|…`), refunddomestic (订单号不存在 / 退款单查询失败) |
 * | `ORDER_NOT_EXIST` | 404 | the query-order pages (订单不存在) |
 * | `ORDERPAID`, `ORDERCLOSED` | 400 | the order pages' names; the status is this sandbox's choice (docs/guides/sandbox.md) |
 * @module
 */

/**
 * A refusal the sandbox answers with (and `emulator.pay()` / `emulator.settleRefund()` throw).
 * @example
 * ```ts
 * try { emulator.pay('T404'); } catch (error) { if (error instanceof SandboxError) console.log(error.status, error.code); }
 * ```
 */
export class SandboxError extends Error {
  override readonly name = 'SandboxError';
  /** The service's error code, e.g. `ORDER_NOT_EXIST`. */
  readonly code: string;
  /** The HTTP status it is answered with. */
  readonly status: number;
  /** The `detail` object of the answer, when there is one. */
  readonly detail: Readonly<Record<string, unknown>> | undefined;

  constructor(status: number, code: string, message: string, detail?: Readonly<Record<string, unknown>>) {
    super(message);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }

  /**
   * The answer's JSON body.
   * @example
   * ```ts
   * new SandboxError(404, 'ORDER_NOT_EXIST', '订单不存在').body(); // { code: 'ORDER_NOT_EXIST', message: '订单不存在' }
   * ```
   */
  body(): Record<string, unknown> {
    return { code: this.code, message: this.message, ...(this.detail ? { detail: this.detail } : {}) };
  }
}

/**
 * Factories of the sandbox's refusals, one per code.
 * @example
 * ```ts
 * throw paramError('amount.total 必须大于 0', { field: 'amount.total', location: 'body' });
 * throw orderNotExist(); // 404 ORDER_NOT_EXIST 订单不存在
 * ```
 */
export const paramError = (message: string, detail?: Record<string, unknown>) => new SandboxError(400, 'PARAM_ERROR', message, detail);
/**
 * 400 `INVALID_REQUEST`: well-formed, but against the business rules.
 * @example
 * ```ts
 * throw invalidRequest('201 商户订单号重复');
 * ```
 */
export const invalidRequest = (message: string) => new SandboxError(400, 'INVALID_REQUEST', message);
/**
 * 404 `ORDER_NOT_EXIST`.
 * @example
 * ```ts
 * throw orderNotExist();
 * ```
 */
export const orderNotExist = () => new SandboxError(404, 'ORDER_NOT_EXIST', '订单不存在');
/**
 * 404 `RESOURCE_NOT_EXISTS`.
 * @example
 * ```ts
 * throw resourceNotExists('退款单不存在');
 * ```
 */
export const resourceNotExists = (message: string) => new SandboxError(404, 'RESOURCE_NOT_EXISTS', message);
/**
 * 400 `ORDERPAID`.
 * @example
 * ```ts
 * throw orderPaid();
 * ```
 */
export const orderPaid = () => new SandboxError(400, 'ORDERPAID', '该订单已支付');
/**
 * 400 `ORDERCLOSED`.
 * @example
 * ```ts
 * throw orderClosed();
 * ```
 */
export const orderClosed = () => new SandboxError(400, 'ORDERCLOSED', '该订单已关闭');
/**
 * 403 `NOT_ENOUGH`.
 * @example
 * ```ts
 * throw notEnough();
 * ```
 */
export const notEnough = () => new SandboxError(403, 'NOT_ENOUGH', '余额不足');
