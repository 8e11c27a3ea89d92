// examples/testing/shop.ts — the code under test: a shop's payment module
import { HttpError, type WeChatPayClient } from 'wechatpay-chain';
import { notificationReply, parseNotification, type NotificationReply } from 'wechatpay-chain/webhook';

export interface Shop {
  client: WeChatPayClient;
  mchid: string;
  appid: string;
  notifyUrl: string;
  /** What the webhook needs: the platform keys (`certs`) and the APIv3 key. */
  webhook: { certs: Record<string, string>; apiv3Key: string };
  /** Orders the shop saw paid (a database, in real life). */
  paid: Set<string>;
}

/** Places a Native order; the QR code to show. */
export async function checkout(shop: Shop, out_trade_no: string, total: number): Promise<string> {
  const { data } = await shop.client.v3.pay.transactions.native.post({
    json: { appid: shop.appid, mchid: shop.mchid, description: 'QQ公仔', out_trade_no, notify_url: shop.notifyUrl, amount: { total, currency: 'CNY' } },
  });
  return data.code_url;
}

/** Asks WeChat Pay whether an order is paid; an order it does not know is not. */
export async function isPaid(shop: Shop, out_trade_no: string): Promise<boolean> {
  try {
    const { data } = await shop.client.v3.pay.transactions.outTradeNo._out_trade_no_.get({ out_trade_no, query: { mchid: shop.mchid } });
    return data.trade_state === 'SUCCESS';
  } catch (error) {
    // only a verified answer carries `code`: a proxy's 404 page is not WeChat Pay's word
    if (error instanceof HttpError && error.code === 'ORDER_NOT_EXIST') return false;
    throw error;
  }
}

/** The webhook: verifies, decrypts, records a payment once; the reply WeChat Pay expects. */
export function onNotification(shop: Shop, incoming: { headers: Record<string, string | string[] | undefined>; body: Buffer | string }): NotificationReply {
  try {
    const notification = parseNotification(incoming, shop.webhook);
    const resource = notification.resource as { out_trade_no: string; trade_state: string };
    if (notification.event_type === 'TRANSACTION.SUCCESS' && resource.trade_state === 'SUCCESS') shop.paid.add(resource.out_trade_no);
    return notificationReply();
  } catch (error) {
    return notificationReply(error); // 401 for a notification that does not verify: WeChat Pay tries again
  }
}
