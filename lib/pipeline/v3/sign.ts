/**
 * APIv3 request signing: `Authorization: WECHATPAY2-SHA256-RSA2048 mchid=…,nonce_str=…,signature=…,timestamp=…,serial_no=…`
 * over `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n`, RSA-SHA256 on the thread pool.
 * @module
 */
import { sign as rsaSign, type KeyObject } from 'node:crypto';
import { authorization, nonce, request, timestamp } from '../../formatter.js';
import type { Middleware } from '../context.js';
import { MediaUtil } from '../../media/media-util.js';
import { prepareMedia } from '../../media/prepare.js';

function signAsync(message: string, key: KeyObject): Promise<string> {
  return new Promise((resolve, reject) => {
    rsaSign('sha256', Buffer.from(message), key, (error, signature) => (error ? reject(error) : resolve(signature.toString('base64'))));
  });
}

/**
 * The signing step for a merchant. The key stays in this closure, never on the context.
 * @example
 * ```ts
 * pipeline.before('verify', v3SignStep({ mchid, serial, privateKey: Rsa.from(pem, 'private') }), 'sign');
 * ```
 */
export function v3SignStep(merchant: { mchid: string; serial: string; privateKey: KeyObject }): Middleware {
  const { mchid, serial, privateKey } = merchant;
  return async function sign(ctx, next) {
    // uploads: the signature covers the multipart `meta` JSON, known once the file is hashed
    if (MediaUtil.of(ctx.body)) await prepareMedia(ctx);
    const ts = timestamp();
    const nonceStr = nonce();
    const signature = await signAsync(request(ctx.method, ctx.path, ts, nonceStr, ctx.signBody), privateKey);
    ctx.headers.authorization = authorization(mchid, nonceStr, signature, ts, serial);
    return next(ctx);
  };
}
