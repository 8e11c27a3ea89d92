/**
 * What the sandbox shows of its orders and refunds: query answers and notification resources.
 *
 * - transactions (query answer and `TRANSACTION.SUCCESS` resource): the fields of wechatpay-go
 *   services/payments/models.go `Transaction` (appid, mchid, out_trade_no, transaction_id,
 *   trade_type, trade_state, trade_state_desc, bank_type, attach, success_time, payer.openid,
 *   amount { total, payer_total, currency, payer_currency });
 * - refunds: the catalog's 200 schemas of v3/refund/domestic/refunds and
 *   v3/ecommerce/refunds/{apply,id/{refund_id}} (vendor/wechatpay-openapi);
 * - `REFUND.*` resources: wechatpay-java service/refund/model/RefundNotification (refund_id,
 *   out_refund_no, transaction_id, out_trade_no, user_received_account, success_time,
 *   refund_status, amount { total, refund, payer_total, payer_refund }), with `mchid` for a direct
 *   merchant and `sp_mchid` / `sub_mchid` / `refund_account` for 电商收付通 as their pages show.
 * @module
 */
import { TRADE_TYPES, type Order, type Refund } from './store.js';

type Json = Record<string, unknown>;

const TRADE_STATE_DESC: Readonly<Record<Order['state'], string>> = { NOTPAY: '订单未支付', SUCCESS: '支付成功', CLOSED: '订单已关闭', REFUND: '转入退款' };
/** Where a refund lands: the payer's 零钱 (the sandbox's payers pay from it). */
const USER_RECEIVED_ACCOUNT = '支付用户零钱';

/**
 * An order as `GET v3/pay/transactions/…` answers it (and, paid, the `TRANSACTION.SUCCESS` resource).
 * @example
 * ```ts
 * transactionView(store.order('T1')).trade_state; // 'NOTPAY'
 * ```
 */
export function transactionView(order: Order): Json {
  const base: Json = { appid: order.appid, mchid: order.mchid, out_trade_no: order.out_trade_no };
  if (order.attach !== undefined) base.attach = order.attach;
  if (order.transaction_id === undefined) {
    return { ...base, trade_state: order.state, trade_state_desc: TRADE_STATE_DESC[order.state], amount: { total: order.total, currency: order.currency } };
  }
  return {
    ...base,
    transaction_id: order.transaction_id,
    trade_type: TRADE_TYPES[order.kind],
    trade_state: order.state,
    trade_state_desc: TRADE_STATE_DESC[order.state],
    bank_type: 'OTHERS',
    success_time: order.success_time,
    payer: { openid: order.openid },
    amount: { total: order.total, payer_total: order.total, currency: order.currency, payer_currency: order.currency },
  };
}

/**
 * A direct-merchant refund as `v3/refund/domestic/refunds` answers it.
 * @example
 * ```ts
 * refundView(store.refund('R1')).status; // 'PROCESSING'
 * ```
 */
export function refundView(refund: Refund): Json {
  const { order } = refund;
  return {
    refund_id: refund.refund_id,
    out_refund_no: refund.out_refund_no,
    transaction_id: order.transaction_id,
    out_trade_no: order.out_trade_no,
    channel: 'ORIGINAL',
    user_received_account: USER_RECEIVED_ACCOUNT,
    ...(refund.success_time ? { success_time: refund.success_time } : {}),
    create_time: refund.create_time,
    status: refund.status,
    funds_account: refund.funds_account,
    amount: {
      total: order.total,
      refund: refund.refund,
      from: [],
      payer_total: order.total,
      payer_refund: refund.refund,
      settlement_refund: refund.refund,
      settlement_total: order.total,
      discount_refund: 0,
      currency: order.currency,
      refund_fee: 0,
    },
    promotion_detail: [],
  };
}

function ecommerceAmount(refund: Refund): Json {
  return { refund: refund.refund, payer_refund: refund.refund, discount_refund: 0, currency: refund.order.currency, advance: refund.advance };
}

/**
 * An 电商收付通 refund as `POST v3/ecommerce/refunds/apply` answers it.
 * @example
 * ```ts
 * ecommerceApplyView(refund).refund_account; // 'REFUND_SOURCE_PARTNER_ADVANCE'
 * ```
 */
export function ecommerceApplyView(refund: Refund): Json {
  return {
    refund_id: refund.refund_id,
    out_refund_no: refund.out_refund_no,
    create_time: refund.create_time,
    amount: ecommerceAmount(refund),
    promotion_detail: [],
    refund_account: refund.refund_account,
  };
}

/**
 * An 电商收付通 refund as its queries answer it (`amount.advance` > 0 when the platform advanced it).
 * @example
 * ```ts
 * ecommerceRefundView(refund).amount; // { refund: 888, payer_refund: 888, discount_refund: 0, currency: 'CNY', advance: 888 }
 * ```
 */
export function ecommerceRefundView(refund: Refund): Json {
  return {
    refund_id: refund.refund_id,
    out_refund_no: refund.out_refund_no,
    transaction_id: refund.order.transaction_id,
    out_trade_no: refund.order.out_trade_no,
    channel: 'ORIGINAL',
    user_received_account: USER_RECEIVED_ACCOUNT,
    ...(refund.success_time ? { success_time: refund.success_time } : {}),
    create_time: refund.create_time,
    status: refund.status,
    amount: ecommerceAmount(refund),
    promotion_detail: [],
    refund_account: refund.refund_account,
    funds_account: refund.funds_account,
  };
}

/**
 * The resource of a `REFUND.SUCCESS` / `REFUND.ABNORMAL` notification.
 * @example
 * ```ts
 * refundNotificationResource(refund).refund_status; // 'SUCCESS'
 * ```
 */
export function refundNotificationResource(refund: Refund): Json {
  const { order } = refund;
  const who: Json = refund.kind === 'ecommerce' ? { sp_mchid: order.mchid, sub_mchid: refund.sub_mchid } : { mchid: order.mchid };
  return {
    ...who,
    transaction_id: order.transaction_id,
    out_trade_no: order.out_trade_no,
    refund_id: refund.refund_id,
    out_refund_no: refund.out_refund_no,
    refund_status: refund.status,
    ...(refund.success_time ? { success_time: refund.success_time } : {}),
    user_received_account: USER_RECEIVED_ACCOUNT,
    amount: { total: order.total, refund: refund.refund, payer_total: order.total, payer_refund: refund.refund },
    ...(refund.kind === 'ecommerce' ? { refund_account: refund.refund_account } : {}),
  };
}
