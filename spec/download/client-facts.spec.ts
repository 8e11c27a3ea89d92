import { describe, expect, it } from 'vitest';
import { DEFAULT_BASE_URL, DEFAULT_HOSTS } from '../../lib/index.js';
import { knownHosts } from '../../lib/download/client-facts.js';

const endpoint = (url: string) => ({ origin: new URL(url).origin, prefix: '' });
const defaults = () => new Map(Object.entries(DEFAULT_HOSTS).map(([alias, url]) => [alias, endpoint(url)]));

describe('knownHosts', () => {
  it('maps the official hosts to the base URL and the aliases by default', () => {
    const routes = knownHosts(endpoint(DEFAULT_BASE_URL), defaults(), DEFAULT_BASE_URL, DEFAULT_HOSTS);
    expect(Object.fromEntries(routes)).toEqual({ 'api.mch.weixin.qq.com': '', 'apihk.mch.weixin.qq.com': 'hk/', 'fraud.mch.weixin.qq.com': 'fraud/' });
  });

  it('lets a base URL stand for api.mch.weixin.qq.com and an overridden alias win its default host', () => {
    const hosts = defaults();
    hosts.set('global', endpoint('http://127.0.0.1:9002/'));
    const routes = knownHosts(endpoint('http://127.0.0.1:9001/'), hosts, DEFAULT_BASE_URL, DEFAULT_HOSTS);
    expect(routes.get('127.0.0.1:9001')).toBe('');
    expect(routes.get('api.mch.weixin.qq.com')).toBe('');
    expect(routes.get('127.0.0.1:9002')).toBe('global/');
    // hk still points at apihk, but global was pointed away from it (a proxy): global is the way there
    expect(routes.get('apihk.mch.weixin.qq.com')).toBe('global/');
    expect(routes.has('evil.example.com')).toBe(false);
  });
});
