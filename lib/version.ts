/**
 * The package version, sent in the User-Agent (a spec keeps it equal to package.json).
 * @example
 * ```ts
 * console.log(`wechatpay-chain ${VERSION}`);
 * ```
 */
export const VERSION = '0.1.0';
