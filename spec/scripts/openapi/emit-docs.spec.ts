import { afterAll, describe, expect, it } from 'vitest';
import { emitDocs } from '../../../scripts/openapi/emit-docs.js';
import { LinkChecker } from '../../support/markdown-links.js';
import { miniCatalog as catalog, removeMiniCatalogs } from '../../support/mini-catalog.js';

afterAll(removeMiniCatalogs);

describe('the links of the docs/api pages the generator emits', () => {
  // areas whose GitHub anchors collide: `∙` is dropped (基础支付∙合单 and 基础支付合单 both slug to
  // 基础支付合单), and an area may repeat a heading of the index itself (Business areas)
  const pages = emitDocs(
    catalog({
      '/v3/combine-transactions/jsapi': "post:\n  tags: ['基础支付∙合单']\n  summary: a\n",
      '/v3/pay/jsapi': "post:\n  tags: ['基础支付合单']\n  summary: b\n",
      '/v3/goldplan/x': "get:\n  tags: ['Business areas', 'APIv2∙通用', '上海/福建/重庆']\n  summary: c\n",
      '/v3/untagged': 'get:\n  summary: d\n',
    }),
  );

  it('link each area to the anchor GitHub gives its heading, repeats numbered -1 in page order', () => {
    const index = pages.get('README.md')!;
    expect(index).not.toContain('<a id');
    expect(index).toContain('- [基础支付∙合单](#基础支付合单) (1)');
    expect(index).toContain('- [基础支付合单](#基础支付合单-1) (1)');
    expect(index).toContain('- [Business areas](#business-areas-1) (1)');
    expect(index).toContain('- [APIv2∙通用](#apiv2通用) (1)');
    expect(index).toContain('- [上海/福建/重庆](#上海福建重庆) (1)');
    expect(index).toContain('- [Other](#other) (1)');
    expect(pages.get('v3/pay/jsapi.md')).toContain('[基础支付合单](../../README.md#基础支付合单-1)');
  });

  it('all resolve, checked as spec/docs/links.spec.ts checks the repository', () => {
    const files = new Map([...pages].filter(([path]) => path.endsWith('.md')).map(([path, text]) => [`docs/api/${path}`, text]));
    const checker = new LinkChecker({ files: new Set(files.keys()), read: (path) => files.get(path)!, url: 'https://github.com/o/r', branch: 'main' });
    const links = [...files.keys()].flatMap((file) => checker.outlineOf(file).links.filter((link) => !/^https?:/.test(link.url)));
    expect(links.length).toBeGreaterThanOrEqual(12);
    expect([...files.keys()].flatMap((file) => checker.check(file))).toEqual([]);
  });
});
