import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCatalog } from '../../../scripts/openapi/catalog.js';
import { emitTypes } from '../../../scripts/openapi/emit-types.js';
import { emitDocs, propertyPath } from '../../../scripts/openapi/emit-docs.js';
import { propertyFor } from '../../../scripts/openapi/render.js';

/** A miniature catalog exercising the shapes the real one uses. */
const FILES: Record<string, string> = {
  'swagger.yaml': `
host: api.mch.weixin.qq.com
schemes: [https]
tags:
  - name: 退款
  - name: APIv2∙基础支付
paths:
  /v3/shop/items:
    $ref: ./v3/shop/items.yaml
  /v3/shop/items/delete:
    $ref: ./v3/shop/items/delete.yaml
  /v3/shop/applyment/:
    $ref: ./v3/shop/applyment/{empty}.yaml
  /secapi/mch/addThing:
    $ref: ./v2/secapi/mch/addThing.yaml
`,
  'definitions/Shared.yaml': `
Amount:
  type: object
  required: [total]
  properties:
    total: { type: integer, description: 总金额 }
State:
  type: string
  enum: [OPEN, CLOSED]
`,
  'v3/shop/items.yaml': `
delete:
  tags: [退款]
  summary: 删除全部
  description: 说明 [官方文档](https://pay.weixin.qq.com/doc/1)
  parameters: []
  responses:
    '204': { description: no content }
get:
  tags: [退款]
  summary: 查询
  parameters:
    - name: state
      in: query
      required: true
      type: string
      allOf:
        - $ref: '../../definitions/Shared.yaml#/State'
        - { type: string, enum: [ARCHIVED] }
  responses:
    '200':
      schema:
        allOf:
          - { $ref: '../../definitions/Shared.yaml#/Amount' }
          - type: object
            required: [state]
            properties:
              state: { $ref: '../../definitions/Shared.yaml#State' }
`,
  'v3/shop/items/delete.yaml': `
post:
  tags: [退款]
  summary: 删除一个
  parameters:
    - name: _
      in: body
      required: true
      schema:
        type: object
        required: [id]
        properties:
          id: { type: string, example: 'I-1' }
          amount: { $ref: '../../../definitions/Shared.yaml#/Amount' }
  responses:
    '200': { schema: { type: object, properties: { ok: { type: boolean } } } }
`,
  'v3/shop/applyment/{empty}.yaml': `
post:
  summary: 提交
  parameters:
    - { name: _, in: body, required: true, schema: { type: object, required: [code], properties: { code: { type: string } } } }
  responses:
    '200': { schema: { type: object, properties: { applyment_id: { type: integer } } } }
`,
  'v2/secapi/mch/addThing.yaml': `
post:
  tags: [APIv2∙基础支付]
  summary: 添加
  parameters:
    - name: _
      in: body
      required: true
      schema:
        type: object
        required: [mch_id, nonce_str, sign, total_fee]
        properties:
          mch_id: { type: string }
          nonce_str: { type: string }
          sign: { type: string }
          total_fee: { type: integer }
  responses:
    '200': { schema: { type: object, required: [total_fee], properties: { total_fee: { type: integer } } } }
`,
};

describe('the generator on a miniature catalog', () => {
  const root = mkdtempSync(join(tmpdir(), 'wechatpay-chain-catalog-'));
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const catalog = readCatalog(root);

  it('maps index keys to templates (v2 files keep the v2/ prefix, {empty} is a trailing slash)', () => {
    expect(catalog.tags).toEqual(['退款', 'APIv2∙基础支付']);
    expect(catalog.operations.map((op) => `${op.method} ${op.template}`)).toEqual([
      'post v2/secapi/mch/addThing',
      'post v3/shop/applyment/',
      'get v3/shop/items',
      'delete v3/shop/items',
      'post v3/shop/items/delete',
    ]);
  });

  it('resolves $ref (file#/Name, file#Name) and merges allOf', () => {
    const get = catalog.operations.find((op) => op.method === 'get')!;
    // allOf extends the shared enum with more values
    expect(get.parameters[0]).toMatchObject({ name: 'state', in: 'query', required: true, schema: { type: 'string', enum: ['OPEN', 'CLOSED', 'ARCHIVED'] } });
    expect(get.response).toMatchObject({ type: 'object', required: ['total', 'state'], properties: { total: { type: 'integer' }, state: { enum: ['OPEN', 'CLOSED'] } } });
    expect(catalog.operations.find((op) => op.method === 'delete')).toMatchObject({ response: null, links: ['https://pay.weixin.qq.com/doc/1'] });
  });

  it('types a verb-named segment as both the verb of its parent and the path to its children', () => {
    const tree = emitTypes(catalog).get('tree.ts')!;
    expect(tree).toMatch(/ {2}delete: OptionalCall<Endpoints\["v3\/shop\/items"\]\["delete"\]> & NodeV3ShopItemsDelete;/);
    expect(tree).toContain('deleteAsync: OptionalCall<Endpoints["v3/shop/items"]["delete"]>;');
    expect(tree).toContain('post: Call<Endpoints["v3/shop/items/delete"]["post"]>;');
  });

  it('keeps paths a property cannot spell out of the tree but in Templates', () => {
    const tree = emitTypes(catalog).get('tree.ts')!;
    expect(tree).toContain('"v3/shop/applyment/": NodeV3ShopApplymentSlash;');
    expect(tree).toContain('"v2/secapi/mch/addThing": NodeV2SecapiMchAddThing;');
    expect(tree).not.toMatch(/^ {2}addThing:/m);
  });

  it('types APIv2 bodies as xml with the signer fields optional, and decoded fields as text', () => {
    const v2 = emitTypes(catalog).get('endpoints/v2-secapi.ts')!;
    expect(v2).toMatch(/xml: \{\n\s+mch_id: string;\n\s+nonce_str\?: string;\n\s+sign\?: string;\n\s+total_fee: number;/);
    expect(v2).toMatch(/data: \{\n\s+total_fee: string;/);
  });

  it('writes a page per path with six examples, four when properties cannot reach it', () => {
    const docs = emitDocs(catalog);
    const page = docs.get('v3/shop/items/delete.md')!;
    expect(page.match(/```ts/g)).toHaveLength(6);
    expect(page).toContain("await client.v3.shop.items.delete.post({\n  json: {\n    id: 'I-1',\n  },\n});");
    expect(docs.get('v3/shop/applyment/{empty}.md')!.match(/```ts/g)).toHaveLength(4);
    expect(docs.get('README.md')).toContain('## 退款');
  });
});

describe('property names', () => {
  it.each([
    ['return-advance', 'returnAdvance'],
    ['{refund_id}', '_refund_id_'],
    ['complaints-v2', 'complaintsV2'],
    ['video_upload', 'video_upload'],
    ['delete', 'delete'],
    ['return', 'return'],
  ])('%s is reached as .%s', (segment, property) => {
    expect(propertyFor(segment)).toBe(property);
  });

  it.each([['addInstitutionsub'], [''], ['then'], ['chain'], ['toJSON'], ['Upper']])('%j has no property', (segment) => {
    expect(propertyFor(segment)).toBeUndefined();
  });

  it('spells whole templates as property paths when every segment allows it', () => {
    expect(propertyPath('v3/ecommerce/refunds/{refund_id}/return-advance')).toBe('client.v3.ecommerce.refunds._refund_id_.returnAdvance');
    expect(propertyPath('v3/applyment4sub/applyment/')).toBeUndefined();
  });
});
