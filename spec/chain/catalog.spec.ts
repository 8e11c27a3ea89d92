/**
 * Walks every path of the endpoint catalog (the pinned copy, vendor/wechatpay-openapi/swagger.yaml) and checks that each
 * is reachable by chain(), by bracket key and — where the segments allow — by property access,
 * and that chain() requests land on exactly the catalog path.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { afterAll, describe, expect, it } from 'vitest';
import { normalizeProperty } from '../../lib/chain/segments.js';
import type { ChainNode } from '../../lib/chain/types.js';
import { Builder, type ClientMembers } from '../../lib/index.js';
import { Emulator } from '../../lib/testing/index.js';
import { DEFAULT_CATALOG } from '../../scripts/generate.js';

const CATALOG = DEFAULT_CATALOG;

interface Entry {
  template: string;
  methods: string[];
}

function loadCatalog(): Entry[] {
  const index = readFileSync(join(CATALOG, 'swagger.yaml'), 'utf8');
  const entries: Entry[] = [];
  for (const match of index.matchAll(/^ {2}(\/[^\n]*):\n {4}\$ref: \.\/([^\n]+)\.yaml$/gm)) {
    const file = match[2] as string;
    const template = file.replace(/\{empty\}$/, '');
    const body = readFileSync(join(CATALOG, `${file}.yaml`), 'utf8');
    const methods = [...body.matchAll(/^(get|post|put|patch|delete):/gm)].map((m) => m[1] as string);
    entries.push({ template, methods });
  }
  return entries;
}

function camel(segment: string): string {
  return segment.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** Property access where a property normalizes back to the segment; chain() for the rest. */
function byProperties(root: ChainNode, template: string): ChainNode {
  let node = root;
  for (const segment of template.split('/')) {
    const placeholder = /^\{(.+)\}$/.exec(segment);
    const property = placeholder ? `_${placeholder[1]}_` : camel(segment);
    node = segment !== '' && normalizeProperty(property) === segment ? node[property]! : node.chain(segment === '' ? '/' : segment);
  }
  return node;
}

describe('every catalog path is reachable', () => {
  const entries = loadCatalog();
  const emulator = Emulator.create({ handlers: [http.all('*', () => HttpResponse.json({}))] });
  // walked with template strings, so the loose chain type rather than the generated one
  const client = Builder.factory(emulator.clientConfig()) as unknown as ChainNode & ClientMembers;
  afterAll(() => client.close());

  it('reads the whole catalog', () => {
    expect(entries.length).toBeGreaterThan(1000);
    expect(entries.map((e) => e.template)).toEqual(
      expect.arrayContaining([
        'v2/secapi/mch/addInstitutionsub',
        'v3/applyment4sub/applyment/',
        'v3/ecommerce/subsidies/return',
        'v3/marketing/busifavor/coupons/use',
        'v3/ecommerce/refunds/{refund_id}/return-advance',
      ]),
    );
  });

  it('builds the same template by chain(), bracket key and property access', () => {
    let byProperty = 0;
    for (const { template } of entries) {
      expect(String(client.chain(template))).toBe(template);
      expect(String(client[template.includes('/') ? template : `${template}/`])).toBe(template.includes('/') ? template : `${template}/`);
      const node = byProperties(client, template);
      expect(String(node)).toBe(template);
      if (!template.split('/').some((s) => s === '' || normalizeProperty(camel(s)) !== s)) byProperty++;
    }
    expect(byProperty).toBeGreaterThan(entries.length * 0.9);
  });

  it('sends every APIv3 method of every path to exactly that path', async () => {
    let sent = 0;
    for (const { template, methods } of entries) {
      if (template.startsWith('v2/')) continue;
      const variables: Record<string, string> = {};
      // hk/ and global/ stay in the path (spec/routing/catalog-walk.ts names the sources)
      let expected = `/${template}`;
      for (const [, name] of template.matchAll(/\{([^}]+)\}/g)) {
        variables[name as string] = `V-${name}`;
        expected = expected.replace(`{${name}}`, `V-${name}`);
      }
      for (const method of methods) {
        const node = client.chain(template)[method]!;
        const res = await node(method === 'get' || method === 'delete' ? variables : { ...variables, json: {} });
        expect(res.status).toBe(200);
        const seen = emulator.requests.at(-1)!;
        expect(`${seen.method} ${seen.path}`).toBe(`${method.toUpperCase()} ${expected}`);
        expect(seen.verified).toBe(true);
        sent++;
      }
    }
    expect(sent).toBeGreaterThan(900);
  }, 120_000);
});
