import { afterAll, describe, expect, it } from 'vitest';
import { emitDocs } from '../../../scripts/openapi/emit-docs.js';
import { emitRoutes, routesOf } from '../../../scripts/openapi/emit-routes.js';
import { miniCatalog as catalog, removeMiniCatalogs } from '../../support/mini-catalog.js';

afterAll(removeMiniCatalogs);

describe('the routing table the generator emits', () => {
  it('reads x-base-uri and x-baseuri, applies the global/ rule and leaves hk/ on the default host', () => {
    const routes = routesOf(
      catalog({
        '/risk/getpublickey': 'post:\n  x-base-uri: https://fraud.mch.weixin.qq.com/\n  summary: a\n',
        '/v3/global/certificates': 'get:\n  x-baseuri: https://apihk.mch.weixin.qq.com/\n  summary: b\n',
        '/global/v3/customs/orders': 'post:\n  summary: c\n',
        '/hk/v3/statements': 'get:\n  summary: d\n',
        '/v3/pay/x': 'get:\n  x-base-uri: https://api.mch.weixin.qq.com/\n  summary: e\n',
      }),
    );
    expect(routes).toEqual({
      origin: 'https://api.mch.weixin.qq.com',
      templates: [
        ['v2/risk/getpublickey', 'https://fraud.mch.weixin.qq.com'],
        ['v3/global/certificates', 'https://apihk.mch.weixin.qq.com'],
      ],
      origins: ['https://api.mch.weixin.qq.com', 'https://apihk.mch.weixin.qq.com', 'https://fraud.mch.weixin.qq.com'],
    });
  });

  it('emits a small module with the default origin, the table, the prefix rule and the origins', () => {
    const text = emitRoutes(catalog({ '/risk/getpublickey': 'post:\n  x-base-uri: https://fraud.mch.weixin.qq.com/\n  summary: a\n' }));
    expect(text.split('\n', 1)[0]).toMatch(/^\/\/ GENERATED .* DO NOT EDIT/);
    expect(text).toContain("export const DEFAULT_ORIGIN = 'https://api.mch.weixin.qq.com';");
    expect(text).toContain("  ['v2/risk/getpublickey', 'https://fraud.mch.weixin.qq.com'],");
    expect(text).toContain("  ['global/', 'https://apihk.mch.weixin.qq.com'],");
  });

  it('shows the host on the docs page of an endpoint that is not served by the default host', () => {
    const pages = emitDocs(
      catalog({
        '/risk/getpublickey': 'post:\n  x-base-uri: https://fraud.mch.weixin.qq.com/\n  summary: a\n',
        '/global/v3/customs/orders': 'post:\n  summary: c\n',
        '/hk/v3/statements': 'get:\n  summary: d\n',
      }),
    );
    expect(pages.get('v2/risk/getpublickey.md')).toContain('> Host: `https://fraud.mch.weixin.qq.com/` — not the default host');
    expect(pages.get('global/v3/customs/orders.md')).toContain('> Host: `https://apihk.mch.weixin.qq.com/`');
    expect(pages.get('hk/v3/statements.md')).not.toContain('> Host:');
  });

  it.each([
    ['a base URI with a path', { '/v3/a': 'get:\n  x-base-uri: https://x.example.com/p/\n' }, /has a path/],
    ['methods naming different hosts', { '/v3/a': 'get:\n  x-base-uri: https://x.example.com/\npost:\n  summary: p\n' }, /different hosts/],
    ['a templated path with its own host', { '/v3/a/{id}': 'get:\n  x-base-uri: https://x.example.com/\n' }, /templated path/],
    ['a prefix rule contradicted', { '/global/v3/a': 'get:\n  x-base-uri: https://x.example.com/\n' }, /contradicts the global\/ rule/],
  ])('refuses %s', (_name, paths, message) => {
    expect(() => routesOf(catalog(paths))).toThrow(message);
  });
});
