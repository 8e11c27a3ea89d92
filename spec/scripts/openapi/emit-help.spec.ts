import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEndpoint } from '../../../lib/cli/endpoint-help.js';
import { CERT_REQUIRED_V2 } from '../../../lib/apiv2/cert-required.js';
import { DEFAULT_ORIGIN, documentedOrigin } from '../../../lib/routing/hosts.js';
import { readCatalog, type Operation, type Schema } from '../../../scripts/openapi/catalog.js';
import { emitHelp } from '../../../scripts/openapi/emit-help.js';
import { DEFAULT_CATALOG } from '../../../scripts/generate.js';
import { miniCatalog as catalog, removeMiniCatalogs } from '../../support/mini-catalog.js';

afterAll(removeMiniCatalogs);

const text = (schema: Schema | undefined) => (schema?.enum ? schema.enum.map(String) : undefined);

describe('the help data the generator emits', () => {
  let operations: Operation[] = [];
  beforeAll(() => {
    ({ operations } = readCatalog(DEFAULT_CATALOG));
  });

  it('says what the catalog says of every operation: fields, required markers, enums, certificate, uploads, example', () => {
    expect(operations.length).toBeGreaterThan(1000);
    for (const op of operations) {
      const where = `${op.method} ${op.template}`;
      const entry = readEndpoint(op.file);
      expect(entry.template, where).toBe(op.template);
      const help = entry.operations.find((o) => o.method === op.method);
      expect(help, where).toBeDefined();
      if (!help) continue;
      expect(Boolean(help.certRequired), where).toBe(op.certRequired);
      expect(Boolean(help.deprecated), where).toBe(op.deprecated);
      expect(Boolean(help.multipart), where).toBe(op.multipart);
      expect(help.links ?? [], where).toEqual(op.links);
      const group = (where: string) => op.parameters.filter((p) => p.in === where).map((p) => ({ name: p.name, required: p.required, enum: text(p.schema) }));
      const fields = (list: typeof help.path) => (list ?? []).map((f) => ({ name: f.name, required: f.required, enum: f.enum }));
      expect(fields(help.path), where).toEqual(group('path'));
      expect(fields(help.query), where).toEqual(group('query'));
      expect(fields(help.headers), where).toEqual(group('header'));
      const body = op.body?.schema;
      expect(help.body !== undefined, where).toBe(body !== undefined);
      if (body && help.body) {
        // the top-level members, required as the catalog says (APIv2's nonce_str and sign are the signer's)
        const signer = op.protocol === 'v2' ? ['nonce_str', 'sign'] : [];
        const top = help.body.fields.filter((f) => !f.name.includes('.') && !f.name.includes('[]'));
        expect(top.map((f) => f.name), where).toEqual(Object.keys(body.properties ?? {}));
        for (const f of top) expect(f.required, `${where} ${f.name}`).toBe((body.required ?? []).includes(f.name) && !signer.includes(f.name));
      }
      if (op.multipart) {
        expect(help.example, where).toBeUndefined();
        continue;
      }
      const example = help.example ?? {};
      for (const p of op.parameters.filter((x) => x.in === 'path')) expect(typeof example[p.name], `${where} ${p.name}`).toBe('string');
      for (const p of op.parameters.filter((x) => x.in === 'query' && x.required)) expect(example.query, `${where} ${p.name}`).toHaveProperty([p.name]);
      if (help.body?.required) expect(example[op.protocol === 'v2' ? 'xml' : 'json'], where).toBeTypeOf('object');
    }
  });

  it('names the host the client sends each endpoint to, when it is not the default, and marks what the client sends over mutual TLS', () => {
    for (const op of operations) {
      const entry = readEndpoint(op.file);
      // lib/routing (the client's own router) and the help must agree
      expect(entry.host ?? DEFAULT_ORIGIN, op.template).toBe(documentedOrigin(op.template));
      if (op.protocol === 'v2') expect(CERT_REQUIRED_V2.has(op.template.slice(3)), op.template).toBe(entry.operations.some((o) => o.certRequired));
    }
  });

  it('writes index.json and one file per business area, one entry a line, marked as generated', () => {
    const files = emitHelp(
      catalog({
        '/v3/pay/transactions/native': 'post:\n  summary: Native下单\n  parameters:\n    - in: body\n      name: body\n      required: true\n      schema:\n        type: object\n        required: [appid]\n        properties:\n          appid: { type: string, description: 应用ID, example: wxd678efh567hg6787 }\n          amount:\n            type: object\n            required: [total]\n            properties:\n              total: { type: integer, description: 总金额 }\n              currency: { type: string, enum: [CNY] }\n',
        '/v3/pay/transactions/id/{transaction_id}': 'get:\n  summary: 查询订单\n  parameters:\n    - { in: path, name: transaction_id, type: string }\n    - { in: query, name: mchid, required: true, type: string, example: "1230000109" }\n',
        '/v3/refund/domestic/refunds': 'post:\n  summary: 退款\n',
        '/risk/getpublickey': 'post:\n  x-base-uri: https://fraud.mch.weixin.qq.com/\n  summary: 获取RSA加密公钥API\n',
      }),
    );
    expect([...files.keys()]).toEqual(['index.json', 'v2-risk.json', 'v3-pay.json', 'v3-refund.json']);
    for (const [name, json] of files) {
      expect(json.split('\n', 2)[1], name).toMatch(/^"\/\/":"GENERATED by scripts\/generate\.ts .* DO NOT EDIT, regenerate with `npm run generate`\.",?$/);
      expect(() => JSON.parse(json), name).not.toThrow();
    }
    expect(JSON.parse(files.get('index.json') as string).files).toEqual(['v2/risk/getpublickey', 'v3/pay/transactions/id/{transaction_id}', 'v3/pay/transactions/native', 'v3/refund/domestic/refunds']);
    const pay = files.get('v3-pay.json') as string;
    expect(pay.split('\n').filter((line) => line.startsWith('"v3/'))).toHaveLength(2);
    expect(JSON.parse(pay)['v3/pay/transactions/native']).toEqual({
      template: 'v3/pay/transactions/native',
      title: 'Native下单',
      protocol: 'v3',
      operations: [
        {
          method: 'post',
          summary: 'Native下单',
          body: {
            required: true,
            fields: [
              { name: 'appid', type: 'string', required: true, description: '应用ID' },
              { name: 'amount', type: 'object', required: false, description: '' },
              { name: 'amount.total', type: 'integer', required: true, description: '总金额' },
              { name: 'amount.currency', type: 'string', required: false, description: '', enum: ['CNY'] },
            ],
          },
          example: { json: { appid: 'wxd678efh567hg6787' } },
        },
      ],
    });
    expect(JSON.parse(pay)['v3/pay/transactions/id/{transaction_id}'].operations[0]).toMatchObject({ example: { transaction_id: 'transaction_id', query: { mchid: '1230000109' } } });
    expect(JSON.parse(files.get('v3-refund.json') as string)['v3/refund/domestic/refunds'].operations).toEqual([{ method: 'post', summary: '退款', example: {} }]);
    expect(JSON.parse(files.get('v2-risk.json') as string)['v2/risk/getpublickey']).toMatchObject({ protocol: 'v2', host: 'https://fraud.mch.weixin.qq.com' });
  });

  it('refuses two business areas that would share a file', () => {
    const mini = catalog({ '/v3/a-b/c': 'get:\n  summary: a\n', '/v3/a/b': 'get:\n  summary: b\n' });
    // the catalog's files start with v2/, v3/, hk/ or global/ today; a file under v3-a/ would clash
    const clash = { ...mini, operations: mini.operations.map((op) => (op.file === 'v3/a/b' ? { ...op, file: 'v3-a/b' } : op)) };
    expect(() => emitHelp(mini)).not.toThrow();
    expect(() => emitHelp(clash)).toThrow(/areas .* would share v3-a-b\.json/);
  });
});
