/**
 * The sandbox's state: orders, refunds and advance returns in memory, and the state machine they
 * follow. No HTTP here: the handlers (./handlers.ts) and `emulator.pay()` call these methods, which
 * return what to answer or throw a {@link SandboxError}, and report each change through
 * {@link StoreEvents} so the sandbox can notify and schedule.
 *
 * ```
 * order:   NOTPAY ──pay──▶ SUCCESS ──refund──▶ REFUND
 *            │ close / time_expire passed
 *            ▼
 *          CLOSED
 * refund:  PROCESSING ──delay (or settle)──▶ SUCCESS | ABNORMAL
 * ```
 *
 * Field names and shapes of the answers: the catalog's 200 schemas (vendor/wechatpay-openapi) and
 * the official SDKs' models (wechatpay-go services/payments/models.go `Transaction`,
 * wechatpay-java service/refund/model `Refund` and `RefundNotification`).
 * @module
 */
import { randomBytes, randomInt } from 'node:crypto';
import { beijingTime } from '../platform-handlers.js';
import { invalidRequest, notEnough, orderClosed, orderNotExist, orderPaid, paramError, resourceNotExists } from './errors.js';

/**
 * The four direct-merchant order kinds: the path segment and the `trade_type` it becomes.
 * @example
 * ```ts
 * TRADE_TYPES.h5; // 'MWEB'
 * ```
 */
export const TRADE_TYPES = { native: 'NATIVE', jsapi: 'JSAPI', app: 'APP', h5: 'MWEB' } as const;
/**
 * A path segment of {@link TRADE_TYPES}.
 * @example
 * ```ts
 * const kind: OrderKind = 'native';
 * ```
 */
export type OrderKind = keyof typeof TRADE_TYPES;

/**
 * An order's state as `trade_state` says it.
 * @example
 * ```ts
 * const state: TradeState = emulator.sandbox!.store.order('T1').state;
 * ```
 */
export type TradeState = 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REFUND';
/**
 * A refund's state as `status` / `refund_status` say it.
 * @example
 * ```ts
 * const status: RefundStatus = emulator.sandbox!.store.refund('R1').status;
 * ```
 */
export type RefundStatus = 'PROCESSING' | 'SUCCESS' | 'ABNORMAL';

const OUT_NO = /^[0-9A-Za-z_\-|*@]{1,32}$/;

type Json = Record<string, unknown>;

/**
 * One order.
 * @example
 * ```ts
 * const order: Order = emulator.sandbox!.store.order('T1');
 * ```
 */
export interface Order {
  kind: OrderKind;
  /** The request, canonical JSON: the same number with another body is refused. */
  readonly request: string;
  readonly appid: string;
  readonly mchid: string;
  readonly out_trade_no: string;
  readonly description: string;
  readonly attach: string | undefined;
  readonly notify_url: string;
  readonly total: number;
  readonly currency: string;
  readonly time_expire: number | undefined;
  /** What placing it answered (`code_url`, `prepay_id` or `h5_url`), answered again to the same request. */
  readonly answer: Json;
  state: TradeState;
  transaction_id?: string;
  success_time?: string;
  openid?: string;
  /** Sum of the refunds made against it. */
  refunded: number;
}

/**
 * One refund (直连 `v3/refund/domestic/refunds` or 电商收付通 `v3/ecommerce/refunds/apply`).
 * @example
 * ```ts
 * const refund: Refund = emulator.sandbox!.store.refund('R1');
 * ```
 */
export interface Refund {
  kind: 'domestic' | 'ecommerce';
  readonly request: string;
  readonly refund_id: string;
  readonly out_refund_no: string;
  readonly order: Order;
  readonly refund: number;
  readonly notify_url: string | undefined;
  readonly funds_account: string;
  readonly create_time: string;
  /** 电商收付通: who pays it (`REFUND_SOURCE_PARTNER_ADVANCE`: the platform advances it). */
  readonly refund_account: string | undefined;
  readonly sub_mchid: string | undefined;
  /** The amount the platform advanced (0 unless `REFUND_SOURCE_PARTNER_ADVANCE`). */
  readonly advance: number;
  status: RefundStatus;
  success_time?: string;
  /** The 垫付退款回补 once made. */
  advanceReturn?: Json;
}

/**
 * What the store reports, for notifications and timers.
 * @example
 * ```ts
 * const events: StoreEvents = { paid: (order) => notify(order), refunded: (refund) => schedule(refund), settled: (refund) => notify(refund) };
 * ```
 */
export interface StoreEvents {
  paid(order: Order): void;
  refunded(refund: Refund): void;
  settled(refund: Refund): void;
}

/**
 * JSON with object keys sorted, so two requests with the same fields compare equal.
 * @example
 * ```ts
 * canonical({ b: 1, a: [2] }); // '{"a":[2],"b":1}'
 * ```
 */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((key) => (value as Json)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Json)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function digits(date: Date): string {
  return beijingTime(date).slice(0, 10).replaceAll('-', '');
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Orders and refunds of one sandbox.
 * @example
 * ```ts
 * const store = new SandboxStore({ mchid: '1900000109', now: Date.now, events });
 * ```
 */
export class SandboxStore {
  readonly mchid: string;
  readonly #now: () => number;
  readonly #events: StoreEvents;
  readonly #orders = new Map<string, Order>();
  readonly #byTransaction = new Map<string, Order>();
  readonly #refunds = new Map<string, Refund>();
  readonly #byRefundId = new Map<string, Refund>();
  /** Balance refunds and advance returns are paid from, in fen; unlimited when undefined. */
  #balance: number | undefined;
  // ids: a random start, so a restarted sandbox does not hand out the ids of the last run
  #sequence = randomInt(1, 2 ** 40);

  constructor(options: { mchid: string; now: () => number; events: StoreEvents; balance?: number }) {
    this.mchid = options.mchid;
    this.#now = options.now;
    this.#events = options.events;
    this.#balance = options.balance;
  }

  /** The merchant's balance for refunds in fen (`undefined`: unlimited). */
  get balance(): number | undefined {
    return this.#balance;
  }

  /** Every order, oldest first. */
  get orders(): readonly Order[] {
    return [...this.#orders.values()];
  }

  /** Every refund, oldest first. */
  get refunds(): readonly Refund[] {
    return [...this.#refunds.values()];
  }

  #next(width: number): string {
    this.#sequence += 1;
    return String(this.#sequence).padStart(width, '0').slice(-width);
  }

  #time(): string {
    return beijingTime(new Date(this.#now()));
  }

  /**
   * Refuses a merchant id that is not the sandbox's (the one the request is signed by).
   * @throws {SandboxError} `INVALID_REQUEST`
   * @example
   * ```ts
   * store.checkMchid(query.get('mchid'), 'mchid');
   * ```
   */
  checkMchid(value: unknown, where: string): void {
    if (value !== this.mchid) throw invalidRequest(`${where} 中的商户号 ${String(value)} 与发起请求的商户号 ${this.mchid} 不一致`);
  }

  /** An order by number, with an expired `time_expire` closing it first. */
  #lookup(out_trade_no: string): Order | undefined {
    const order = this.#orders.get(out_trade_no);
    if (order && order.state === 'NOTPAY' && order.time_expire !== undefined && this.#now() > order.time_expire) order.state = 'CLOSED';
    return order;
  }

  /**
   * Places (or, for the same request, answers again) a direct-merchant order.
   * @throws {SandboxError} `INVALID_REQUEST` (201 商户订单号重复) for the same number with another request, `ORDERPAID`, `ORDERCLOSED`, `PARAM_ERROR`
   * @example
   * ```ts
   * store.place('native', body); // { code_url: 'weixin://wxpay/bizpayurl?pr=…' }
   * ```
   */
  place(kind: OrderKind, body: Json): Json {
    this.checkMchid(body.mchid, 'mchid');
    const out_trade_no = String(body.out_trade_no);
    if (!OUT_NO.test(out_trade_no)) throw paramError('商户订单号 out_trade_no 只能是 1-32 位数字、大小写字母或_-|*@', { field: 'out_trade_no', location: 'body', value: out_trade_no });
    const request = canonical({ kind, body });
    const existing = this.#lookup(out_trade_no);
    if (existing) {
      if (existing.state === 'SUCCESS' || existing.state === 'REFUND') throw orderPaid();
      if (existing.state === 'CLOSED') throw orderClosed();
      // the service's answer to the same number with other parameters (yansongda/pay#705,
      // fudiwei/DotNetCore.SKIT.FlurlHttpClient.Wechat#126); the same request is answered again
      if (existing.request !== request) throw invalidRequest('201 商户订单号重复');
      return existing.answer;
    }
    const amount = body.amount as Json;
    const total = amount.total as number;
    if (total <= 0) throw paramError('订单金额 amount.total 必须大于 0', { field: 'amount.total', location: 'body', value: total });
    const currency = text(amount.currency) ?? 'CNY';
    if (currency !== 'CNY') throw paramError(`货币类型 amount.currency 只支持 CNY，不支持 ${currency}`, { field: 'amount.currency', location: 'body', value: currency });
    const notify_url = String(body.notify_url);
    if (!/^https?:\/\/[^\s/?#]+/.test(notify_url)) throw paramError('通知地址 notify_url 必须是 http(s) 的绝对地址', { field: 'notify_url', location: 'body', value: notify_url });
    let time_expire: number | undefined;
    if (body.time_expire !== undefined) {
      time_expire = Date.parse(String(body.time_expire));
      if (!Number.isFinite(time_expire)) throw paramError('交易结束时间 time_expire 必须是 rfc3339 时间，如 2018-06-08T10:34:56+08:00', { field: 'time_expire', location: 'body', value: body.time_expire });
    }
    const prepay_id = `wx${beijingTime(new Date(this.#now())).slice(0, 19).replace(/\D/g, '')}${randomBytes(10).toString('hex')}`;
    const answer: Json =
      kind === 'native'
        ? { code_url: `weixin://wxpay/bizpayurl?pr=${randomBytes(6).toString('base64url').slice(0, 7)}` }
        : kind === 'h5'
          ? { h5_url: `https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=${prepay_id}&package=${this.#next(10)}` }
          : { prepay_id };
    const order: Order = {
      kind,
      request,
      appid: String(body.appid),
      mchid: this.mchid,
      out_trade_no,
      description: String(body.description),
      attach: text(body.attach),
      notify_url,
      total,
      currency,
      time_expire,
      answer,
      state: 'NOTPAY',
      openid: text((body.payer as Json | undefined)?.openid),
      refunded: 0,
    };
    this.#orders.set(out_trade_no, order);
    return answer;
  }

  /**
   * An order by `out_trade_no`.
   * @throws {SandboxError} `ORDER_NOT_EXIST`
   * @example
   * ```ts
   * store.order('T1').state; // 'NOTPAY'
   * ```
   */
  order(out_trade_no: string): Order {
    const order = this.#lookup(out_trade_no);
    if (!order) throw orderNotExist();
    return order;
  }

  /**
   * A paid order by `transaction_id` (an unpaid order has none: 订单未支付时只能用商户订单号查询).
   * @throws {SandboxError} `ORDER_NOT_EXIST`
   * @example
   * ```ts
   * store.orderById('4200000000202601010000000001');
   * ```
   */
  orderById(transaction_id: string): Order {
    const order = this.#byTransaction.get(transaction_id);
    if (!order) throw orderNotExist();
    return order;
  }

  /**
   * Closes an unpaid order (closing a closed one again is fine).
   * @throws {SandboxError} `ORDER_NOT_EXIST`, `ORDERPAID`
   * @example
   * ```ts
   * store.close('T1', '1900000109');
   * ```
   */
  close(out_trade_no: string, mchid: unknown): void {
    this.checkMchid(mchid, 'mchid');
    const order = this.order(out_trade_no);
    if (order.state === 'SUCCESS' || order.state === 'REFUND') throw orderPaid();
    order.state = 'CLOSED';
  }

  /**
   * The payer pays: the order becomes SUCCESS with a `transaction_id` (then `TRANSACTION.SUCCESS`).
   * @throws {SandboxError} `ORDER_NOT_EXIST`, `ORDERPAID`, `ORDERCLOSED`, `PARAM_ERROR` (a bad openid)
   * @example
   * ```ts
   * store.pay('T1', { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' });
   * ```
   */
  pay(out_trade_no: string, payer: { openid?: unknown } = {}): Order {
    const order = this.order(out_trade_no);
    if (order.state === 'SUCCESS' || order.state === 'REFUND') throw orderPaid();
    if (order.state === 'CLOSED') throw orderClosed();
    if (payer.openid !== undefined && (typeof payer.openid !== 'string' || !/^[\w-]{1,128}$/.test(payer.openid))) {
      throw paramError('payer.openid 必须是 1-128 位字母、数字、_ 或 -', { field: 'payer.openid', location: 'body', value: payer.openid });
    }
    const now = new Date(this.#now());
    order.state = 'SUCCESS';
    order.transaction_id = `4200000000${digits(now)}${this.#next(10)}`;
    order.success_time = beijingTime(now);
    // a native or h5 payer is known only once paid; jsapi orders name theirs
    order.openid = (payer.openid as string | undefined) ?? order.openid ?? `o${randomBytes(20).toString('base64url').slice(0, 27)}`;
    this.#byTransaction.set(order.transaction_id, order);
    this.#events.paid(order);
    return order;
  }

  /** The refundable order of a refund request (by transaction_id or out_trade_no). */
  #refundable(body: Json): Order {
    const byId = text(body.transaction_id);
    const order = byId !== undefined ? this.#byTransaction.get(byId) : this.#lookup(String(body.out_trade_no));
    // an unknown or unpaid order: 订单号不存在 (wechatpay-go refunddomestic: 未支付的订单不能发起退款)
    if (!order || order.state === 'NOTPAY' || order.state === 'CLOSED') throw resourceNotExists('订单号不存在，请检查订单号是否正确且已支付');
    if (byId !== undefined && body.out_trade_no !== undefined && body.out_trade_no !== order.out_trade_no) {
      throw invalidRequest('transaction_id 与 out_trade_no 不是同一笔订单');
    }
    return order;
  }

  /**
   * Applies a refund: PROCESSING, then SUCCESS after the sandbox's delay (see {@link settle}).
   * The same `out_refund_no` with the same request answers the same refund.
   * @throws {SandboxError} `RESOURCE_NOT_EXISTS` (no such paid order), `INVALID_REQUEST` (beyond the refundable amount, another total, a reused out_refund_no), `NOT_ENOUGH`, `PARAM_ERROR`
   * @example
   * ```ts
   * store.applyRefund('domestic', { out_trade_no: 'T1', out_refund_no: 'R1', amount: { refund: 1, total: 1, currency: 'CNY' } });
   * ```
   */
  applyRefund(kind: Refund['kind'], body: Json): Refund {
    const out_refund_no = String(body.out_refund_no);
    if (!OUT_NO.test(out_refund_no)) throw paramError('商户退款单号 out_refund_no 只能是 1-32 位数字、大小写字母或_-|*@', { field: 'out_refund_no', location: 'body', value: out_refund_no });
    if (kind === 'ecommerce' && text(body.sub_mchid) === undefined) {
      throw paramError('输入源“/body/sub_mchid”映射到字段“二级商户号”必填性规则校验失败，此字段为必填项', { field: 'sub_mchid', location: 'body', value: '' });
    }
    if (kind === 'ecommerce' && body.sub_mchid !== this.mchid) {
      // the sandbox plays both the platform and its one sub-merchant
      throw invalidRequest(`电商平台与二级商户 ${String(body.sub_mchid)} 无受理关系（沙箱的二级商户号是 ${this.mchid}）`);
    }
    const request = canonical({ kind, body });
    const existing = this.#refunds.get(out_refund_no);
    if (existing) {
      if (existing.request !== request) throw invalidRequest(`商户退款单号 ${out_refund_no} 已用于另一笔退款，请使用新的退款单号`);
      return existing;
    }
    const order = this.#refundable(body);
    const amount = body.amount as Json;
    const refund = amount.refund as number;
    if (amount.total !== order.total) throw invalidRequest(`订单金额 amount.total ${String(amount.total)} 与原订单金额 ${order.total} 不一致`);
    if (text(amount.currency) !== undefined && amount.currency !== order.currency) throw invalidRequest(`退款币种 ${String(amount.currency)} 与原订单币种 ${order.currency} 不一致`);
    if (refund <= 0) throw paramError('退款金额 amount.refund 必须大于 0', { field: 'amount.refund', location: 'body', value: refund });
    if (refund > order.total - order.refunded) throw invalidRequest(`申请退款金额 ${refund} 超过订单可退金额 ${order.total - order.refunded}`);
    const advanced = kind === 'ecommerce' && body.refund_account === 'REFUND_SOURCE_PARTNER_ADVANCE';
    if (!advanced) this.#spend(refund);
    const now = new Date(this.#now());
    const created: Refund = {
      kind,
      request,
      refund_id: `50300${digits(now)}${this.#next(16)}`,
      out_refund_no,
      order,
      refund,
      notify_url: text(body.notify_url),
      funds_account: text(body.funds_account) ?? 'AVAILABLE',
      create_time: beijingTime(now),
      refund_account: kind === 'ecommerce' ? (text(body.refund_account) ?? 'REFUND_SOURCE_SUB_MERCHANT') : undefined,
      sub_mchid: kind === 'ecommerce' ? this.mchid : undefined,
      advance: advanced ? refund : 0,
      status: 'PROCESSING',
    };
    order.refunded += refund;
    order.state = 'REFUND';
    this.#refunds.set(out_refund_no, created);
    this.#byRefundId.set(created.refund_id, created);
    this.#events.refunded(created);
    return created;
  }

  #spend(amount: number): void {
    if (this.#balance === undefined) return;
    if (amount > this.#balance) throw notEnough();
    this.#balance -= amount;
  }

  /**
   * A refund by `out_refund_no`.
   * @throws {SandboxError} `RESOURCE_NOT_EXISTS`
   * @example
   * ```ts
   * store.refund('R1').status; // 'PROCESSING'
   * ```
   */
  refund(out_refund_no: string): Refund {
    const refund = this.#refunds.get(out_refund_no);
    if (!refund) throw resourceNotExists('退款单不存在，请检查退款单号是否正确');
    return refund;
  }

  /**
   * A direct-merchant refund by `out_refund_no` (an 电商收付通 refund is not found here).
   * @throws {SandboxError} `RESOURCE_NOT_EXISTS`
   * @example
   * ```ts
   * store.domesticRefund('R1');
   * ```
   */
  domesticRefund(out_refund_no: string): Refund {
    const refund = this.refund(out_refund_no);
    if (refund.kind !== 'domestic') throw resourceNotExists('退款单不存在：这是电商收付通的退款，请用 v3/ecommerce/refunds 查询');
    return refund;
  }

  /**
   * An 电商收付通 refund, for its queries (`sub_mchid`, when given, must be the refund's).
   * @throws {SandboxError} `RESOURCE_NOT_EXISTS`, `INVALID_REQUEST`
   * @example
   * ```ts
   * store.ecommerceRefund(store.refundById(refund_id), '1900000109');
   * ```
   */
  ecommerceRefund(refund: Refund, sub_mchid: string | null): Refund {
    this.#checkSubMchid(refund, sub_mchid ?? refund.sub_mchid);
    return refund;
  }

  /**
   * A refund by `refund_id`.
   * @throws {SandboxError} `RESOURCE_NOT_EXISTS`
   * @example
   * ```ts
   * store.refundById('503002026010100000000000000001');
   * ```
   */
  refundById(refund_id: string): Refund {
    const refund = this.#byRefundId.get(refund_id);
    if (!refund) throw resourceNotExists('退款单不存在，请检查微信退款单号是否正确');
    return refund;
  }

  /**
   * Ends a PROCESSING refund: SUCCESS, or ABNORMAL (the payer's account could not take it).
   * @throws {SandboxError} `RESOURCE_NOT_EXISTS`, `INVALID_REQUEST` (already ended), `PARAM_ERROR` (another status)
   * @example
   * ```ts
   * store.settle('R1', 'ABNORMAL');
   * ```
   */
  settle(out_refund_no: string, status: unknown = 'SUCCESS'): Refund {
    if (status !== 'SUCCESS' && status !== 'ABNORMAL') throw paramError(`status 只能是 SUCCESS 或 ABNORMAL，不是 ${String(status)}`, { field: 'status', location: 'body', value: status });
    const refund = this.refund(out_refund_no);
    if (refund.status !== 'PROCESSING') throw invalidRequest(`退款单 ${out_refund_no} 已是 ${refund.status}，不能再改变`);
    refund.status = status;
    if (status === 'SUCCESS') refund.success_time = this.#time();
    this.#events.settled(refund);
    return refund;
  }

  /**
   * 垫付退款回补: the sub-merchant returns what the platform advanced. Once per refund; asking again
   * answers the same return (a retried POST moves no money twice).
   * @throws {SandboxError} `RESOURCE_NOT_EXISTS`, `INVALID_REQUEST` (not advanced, not yet SUCCESS, another sub_mchid), `NOT_ENOUGH`
   * @example
   * ```ts
   * store.returnAdvance(refund_id, '1900000109').result; // 'SUCCESS'
   * ```
   */
  returnAdvance(refund_id: string, sub_mchid: string): Json {
    const refund = this.refundById(refund_id);
    this.#checkSubMchid(refund, sub_mchid);
    if (refund.advanceReturn) return refund.advanceReturn;
    if (refund.advance === 0) throw invalidRequest('该退款未由电商平台垫付（refund_account 不是 REFUND_SOURCE_PARTNER_ADVANCE），无需回补');
    if (refund.status !== 'SUCCESS') throw invalidRequest(`退款状态为 ${refund.status}，退款成功后才能发起垫付回补`);
    this.#spend(refund.advance);
    const now = new Date(this.#now());
    refund.advanceReturn = {
      refund_id,
      advance_return_id: `1215${digits(now)}${this.#next(16)}`,
      return_amount: refund.advance,
      payer_mchid: sub_mchid,
      payer_account: 'BASIC',
      payee_mchid: this.mchid,
      payee_account: 'BASIC',
      result: 'SUCCESS',
      success_time: beijingTime(now),
    };
    return refund.advanceReturn;
  }

  /**
   * The 垫付退款回补 of a refund, once made.
   * @throws {SandboxError} `RESOURCE_NOT_EXISTS` (no such refund, or no return yet), `INVALID_REQUEST`
   * @example
   * ```ts
   * store.advanceReturn(refund_id, '1900000109');
   * ```
   */
  advanceReturn(refund_id: string, sub_mchid: string): Json {
    const refund = this.refundById(refund_id);
    this.#checkSubMchid(refund, sub_mchid);
    if (!refund.advanceReturn) throw resourceNotExists(`退款 ${refund_id} 还没有垫付回补记录`);
    return refund.advanceReturn;
  }

  #checkSubMchid(refund: Refund, sub_mchid: string | undefined): void {
    if (refund.kind !== 'ecommerce') throw resourceNotExists('退款单不存在：不是电商收付通的退款');
    if (sub_mchid !== refund.sub_mchid) throw invalidRequest(`二级商户号 ${sub_mchid} 与退款单的二级商户号不一致`);
  }
}

