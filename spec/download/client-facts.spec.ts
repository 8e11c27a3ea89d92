import { describe, expect, it } from 'vitest';
import { KNOWN_ORIGINS } from '../../lib/index.js';
import { knownOrigins } from '../../lib/download/client-facts.js';

describe('knownOrigins', () => {
  it('holds every WeChat Pay origin, the backup and newer domains included', () => {
    const origins = knownOrigins([]);
    expect([...origins]).toEqual([...KNOWN_ORIGINS]);
    // wechatpay-go core/consts/const.go (api2.mch), wechatpay-java core/…/http/Constant.java (api.wechatpay.cn, api2.wechatpay.cn)
    for (const origin of ['https://api.mch.weixin.qq.com', 'https://apihk.mch.weixin.qq.com', 'https://api2.mch.weixin.qq.com', 'https://api.wechatpay.cn', 'https://api2.wechatpay.cn']) {
      expect(origins.has(origin)).toBe(true);
    }
  });

  it('adds the origins the client sends to, and nothing else', () => {
    const origins = knownOrigins([
      { origin: 'http://127.0.0.1:9001', basePath: '' },
      { origin: 'https://proxy.example.com', basePath: '/wx' },
    ]);
    expect(origins.has('http://127.0.0.1:9001')).toBe(true);
    expect(origins.has('https://proxy.example.com')).toBe(true);
    expect(origins.has('http://127.0.0.1:9002')).toBe(false);
    expect(origins.has('https://evil.example.com')).toBe(false);
    // an origin is scheme, host and port: the plain-http twin of a WeChat Pay host is not one
    expect(origins.has('http://api.mch.weixin.qq.com')).toBe(false);
  });
});
