/**
 * Payment-sign helpers (调起支付): the signed parameter sets a front end hands to WeChat to open
 * the payment sheet after the server got a `prepay_id` from a JSAPI / mini-program / APP order.
 * Both return Promises (RSA signing runs on the thread pool).
 *
 * DESIGN (lib/payment/): pure signing of what a front end needs, with the crypto toolkit; no
 * request is sent.
 * @module
 */
import type { KeyLike } from '../crypto/keys.js';
import { Rsa } from '../crypto/rsa.js';
import { ArgumentError } from '../errors.js';
import { joinedByLineFeed, nonce as makeNonce, timestamp as makeTimestamp } from '../formatter.js';

/**
 * The parameters of `WeixinJSBridge.invoke('getBrandWCPayRequest', …)` and `wx.requestPayment(…)`.
 * @example
 * ```ts
 * const params: JsapiPayParams = await buildJsapiPayParams({ appId, prepayId, privateKey });
 * ```
 */
export interface JsapiPayParams {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  /** `prepay_id=…` */
  package: string;
  signType: 'RSA';
  paySign: string;
}

/**
 * The parameters of the APP SDK's `PayReq`.
 * @example
 * ```ts
 * const params: AppPayParams = await buildAppPayParams({ appid, partnerid: mchid, prepayId, privateKey });
 * ```
 */
export interface AppPayParams {
  appid: string;
  partnerid: string;
  prepayid: string;
  package: 'Sign=WXPay';
  noncestr: string;
  timestamp: string;
  sign: string;
}

/** Common inputs; `timestamp` and `nonce` are generated unless given (tests). */
interface SignInput {
  prepayId: string;
  /** The merchant API private key (any form `Rsa.from` accepts). */
  privateKey: KeyLike;
  timestamp?: number | string;
  nonce?: string;
}

function required(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw new ArgumentError(`${field}: required, a non-empty string`, field);
  if (/[\r\n]/.test(value)) throw new ArgumentError(`${field}: must not contain line breaks`, field);
  return value;
}

/**
 * JSAPI (公众号) and mini-program (小程序) parameters: `paySign` is RSA-SHA256 over
 * `appId\ntimeStamp\nnonceStr\npackage\n` with the merchant private key. Returns a Promise.
 * @param input `appId` is the AppID the order was placed with; `prepayId` as the order answered (a `prepay_id=` prefix is accepted)
 * @example
 * ```ts
 * const { data } = await client.v3.pay.transactions.jsapi.post({ json: order });
 * const params = await buildJsapiPayParams({ appId: order.appid, prepayId: data.prepay_id, privateKey });
 * // front end: wx.requestPayment({ ...params, success, fail })
 * ```
 */
export async function buildJsapiPayParams(input: SignInput & { appId: string }): Promise<JsapiPayParams> {
  if (input === null || typeof input !== 'object') throw new ArgumentError('input: expected { appId, prepayId, privateKey }', 'input');
  const appId = required(input.appId, 'appId');
  const prepayId = required(input.prepayId, 'prepayId').replace(/^prepay_id=/, '');
  const timeStamp = String(input.timestamp ?? makeTimestamp());
  const nonceStr = input.nonce ?? makeNonce();
  const pkg = `prepay_id=${prepayId}`;
  const paySign = await Rsa.sign(joinedByLineFeed(appId, timeStamp, nonceStr, pkg), input.privateKey);
  return { appId, timeStamp, nonceStr, package: pkg, signType: 'RSA', paySign };
}

/**
 * Mini-program parameters: the same set as {@link buildJsapiPayParams}.
 * @example
 * ```ts
 * wx.requestPayment(await buildMiniProgramPayParams({ appId, prepayId, privateKey }));
 * ```
 */
export const buildMiniProgramPayParams = buildJsapiPayParams;

/**
 * APP parameters: `sign` is RSA-SHA256 over `appid\ntimestamp\nnoncestr\nprepayid\n`. Returns a Promise.
 * @param input `appid` of the mobile app, `partnerid` the merchant id (mchid), `prepayId` from the APP order
 * @example
 * ```ts
 * const { data } = await client.v3.pay.transactions.app.post({ json: order });
 * const params = await buildAppPayParams({ appid: order.appid, partnerid: order.mchid, prepayId: data.prepay_id, privateKey });
 * ```
 */
export async function buildAppPayParams(input: SignInput & { appid: string; partnerid: string }): Promise<AppPayParams> {
  if (input === null || typeof input !== 'object') throw new ArgumentError('input: expected { appid, partnerid, prepayId, privateKey }', 'input');
  const appid = required(input.appid, 'appid');
  const partnerid = required(input.partnerid, 'partnerid');
  const prepayid = required(input.prepayId, 'prepayId');
  const timestamp = String(input.timestamp ?? makeTimestamp());
  const noncestr = input.nonce ?? makeNonce();
  const sign = await Rsa.sign(joinedByLineFeed(appid, timestamp, noncestr, prepayid), input.privateKey);
  return { appid, partnerid, prepayid, package: 'Sign=WXPay', noncestr, timestamp, sign };
}
