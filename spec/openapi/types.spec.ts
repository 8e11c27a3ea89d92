/**
 * Type tests of the generated endpoint types. vitest runs them as no-ops; the checking is done by
 * `npm run typecheck` and by spec/openapi/compile.spec.ts, which compiles this file with tsc, so a
 * broken expectation or an unused `@ts-expect-error` fails `npm test` too.
 */
import { afterAll, describe, expectTypeOf, it } from 'vitest';
import { Builder, type ChainNode, type ChainResponse, type Endpoints, type WeChatPayClient } from '../../lib/index.js';
import { Emulator } from '../../lib/testing/index.js';

// a real client, so the property reads below run; nothing here sends a request
const client: WeChatPayClient = Builder.factory(Emulator.create().clientConfig());
afterAll(() => client.close());

type Options<F> = F extends (options: infer O) => unknown ? O : F extends (options?: infer O) => unknown ? O : never;
type Data<F> = F extends (...args: never[]) => Promise<ChainResponse<infer D>> ? D : never;

describe('seed endpoint v3/ecommerce/refunds/{refund_id}/return-advance', () => {
  type Post = typeof client.v3.ecommerce.refunds._refund_id_.returnAdvance.post;

  it('requires the path variable at the top level and sub_mchid in json', () => {
    expectTypeOf<Options<Post>['refund_id']>().toEqualTypeOf<string>();
    expectTypeOf<Options<Post>['json']>().toEqualTypeOf<{ sub_mchid: string }>();
    expectTypeOf<Data<Post>['advance_return_id']>().toEqualTypeOf<string>();
    expectTypeOf<Data<Post>['return_amount']>().toEqualTypeOf<number>();
    expectTypeOf<Data<Post>['success_time']>().toEqualTypeOf<string | undefined>();
  });

  it('gives property, chain() and bracket styles and the Async twins the same types', () => {
    expectTypeOf(client.chain('v3/ecommerce/refunds/{refund_id}/return-advance').post).toEqualTypeOf<Post>();
    expectTypeOf(client['v3/ecommerce/refunds/{refund_id}/return-advance'].post).toEqualTypeOf<Post>();
    expectTypeOf(client.v3.ecommerce.refunds._refund_id_.returnAdvance.postAsync).toEqualTypeOf<Post>();
    expectTypeOf<Post>().toEqualTypeOf<(options: Endpoints['v3/ecommerce/refunds/{refund_id}/return-advance']['post']['options'] & import('../../lib/index.js').CallOptions) => Promise<ChainResponse<Endpoints['v3/ecommerce/refunds/{refund_id}/return-advance']['post']['data']>>>();
  });

  it('types the GET with its required query', () => {
    type Get = typeof client.v3.ecommerce.refunds._refund_id_.returnAdvance.get;
    expectTypeOf<Options<Get>['query']>().toEqualTypeOf<{ sub_mchid: string }>();
  });

  it('rejects misuse at compile time', () => {
    const misuse = async () => {
      // @ts-expect-error refund_id is a required path variable
      await client.v3.ecommerce.refunds._refund_id_.returnAdvance.post({ json: { sub_mchid: '1900000109' } });
      // @ts-expect-error json.sub_mchid is required
      await client.v3.ecommerce.refunds._refund_id_.returnAdvance.post({ refund_id: '5000', json: {} });
      // @ts-expect-error no such field in the body
      await client.v3.ecommerce.refunds._refund_id_.returnAdvance.post({ refund_id: '5000', json: { sub_mchid: '1', typo: 1 } });
      // @ts-expect-error the endpoint has no PUT
      await client.v3.ecommerce.refunds._refund_id_.returnAdvance.put({ refund_id: '5000' });
      // @ts-expect-error a typo in the property path
      await client.v3.ecommerce.refund._refund_id_.returnAdvance.post({ refund_id: '5000', json: { sub_mchid: '1' } });
      // @ts-expect-error the response has no such field
      void (await client.v3.ecommerce.refunds._refund_id_.returnAdvance.post({ refund_id: '5000', json: { sub_mchid: '1' } })).data.advance_id;
      // @ts-expect-error a bracket key must be a known template
      await client['v3/ecommerce/refunds/{refund_id}/return-advanc'].post({ refund_id: '5000', json: { sub_mchid: '1' } });
    };
    expectTypeOf(misuse).toBeFunction();
  });
});

describe('seed endpoint v3/ecommerce/refunds/apply', () => {
  type Post = typeof client.v3.ecommerce.refunds.apply.post;

  it('has required and optional body fields, nested objects, arrays and enums', () => {
    expectTypeOf<Options<Post>['json']['out_refund_no']>().toEqualTypeOf<string>();
    expectTypeOf<Options<Post>['json']['sub_mchid']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<Options<Post>['json']['funds_account']>().toEqualTypeOf<'AVAILABLE' | 'UNSETTLED' | 'PREPAID'>();
    expectTypeOf<Options<Post>['json']['amount']['refund']>().toEqualTypeOf<number>();
    expectTypeOf<NonNullable<Options<Post>['json']['amount']['from']>[number]['account']>().toEqualTypeOf<'AVAILABLE' | 'UNAVAILABLE'>();
    expectTypeOf<Data<Post>['refund_id']>().toEqualTypeOf<string>();
  });

  it('rejects a value outside an enum', () => {
    const misuse = () =>
      client.v3.ecommerce.refunds.apply.post({
        json: {
          sp_appid: 'wx8888888888888888',
          out_refund_no: 'R1',
          combine_transaction_id: '1',
          transaction_id: '1',
          amount: { refund: 1, total: 1 },
          // @ts-expect-error not one of AVAILABLE | UNSETTLED | PREPAID
          funds_account: 'BASIC',
        },
      });
    expectTypeOf(misuse).toBeFunction();
  });
});

describe('a sample from every top-level area', () => {
  it('v2: the body is `xml`, the signer fills nonce_str and sign, the decoded XML is text', () => {
    type Post = typeof client.v2.pay.micropay.post;
    expectTypeOf<Options<Post>['xml']['out_trade_no']>().toEqualTypeOf<string>();
    expectTypeOf<Options<Post>['xml']['total_fee']>().toEqualTypeOf<number>();
    expectTypeOf<Options<Post>['xml']['nonce_str']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<Options<Post>['xml']['sign_type']>().toEqualTypeOf<'MD5' | 'HMAC-SHA256' | undefined>();
    expectTypeOf<Data<Post>['return_code']>().toEqualTypeOf<'SUCCESS' | 'FAIL'>();
    expectTypeOf<Data<Post>['total_fee']>().toEqualTypeOf<string>();
    const misuse = () =>
      // @ts-expect-error APIv2 takes `xml`, not `json`
      client.v2.pay.micropay.post({ json: { appid: 'wx', mch_id: '1', body: 'b', out_trade_no: 'o', total_fee: 1, spbill_create_ip: '127.0.0.1', auth_code: '1' } });
    expectTypeOf(misuse).toBeFunction();
  });

  it('names an order by one of its alternative identifiers (二选一), not by all of them', () => {
    const xml = { appid: 'wx', mch_id: '1' };
    const byOurs = () => client.v2.pay.orderquery.post({ xml: { ...xml, out_trade_no: 'T1' } });
    const byTheirs = () => client.v2.pay.orderquery.post({ xml: { ...xml, transaction_id: '4200' } });
    const byNeither = () =>
      // @ts-expect-error one of transaction_id / out_trade_no is required
      client.v2.pay.orderquery.post({ xml });
    expectTypeOf(byOurs).toBeFunction();
    expectTypeOf(byTheirs).toBeFunction();
    expectTypeOf(byNeither).toBeFunction();
  });

  it('v3: query enums and integer fields', () => {
    type Get = typeof client.v3.pay.transactions.outTradeNo._out_trade_no_.get;
    expectTypeOf<Options<Get>['out_trade_no']>().toEqualTypeOf<string>();
    expectTypeOf<Options<Get>['query']['mchid']>().toEqualTypeOf<string>();
    expectTypeOf<Data<Get>['amount']>().not.toBeAny();
  });

  it('hk: the host alias is a typed first segment', () => {
    type Post = typeof client.hk.v3.transactions.native.post;
    expectTypeOf<Options<Post>['json']['out_trade_no']>().toEqualTypeOf<string>();
    expectTypeOf<Options<Post>['json']['amount']['total']>().toEqualTypeOf<number>();
    expectTypeOf(client['hk/v3/transactions/native'].post).toEqualTypeOf<Post>();
  });

  it('global: enums in the query and in the response', () => {
    type Get = typeof client.global.v3.customs.orders.get;
    expectTypeOf<Options<Get>['query']['order_type']>().toEqualTypeOf<'out_trade_no' | 'transaction_id' | 'sub_order_no' | 'sub_order_id'>();
    expectTypeOf<Data<Get>['verify_department']>().toEqualTypeOf<'UNIONPAY' | 'NETSUNION' | 'OTHERS'>();
  });
});

describe('segments that are not plain identifiers', () => {
  it('types verb-named and Function-member segments (delete, apply, bind) as nodes', () => {
    type Delete = typeof client.v3.ecommerce.profitsharing.receivers.delete.post;
    expectTypeOf<Options<Delete>['json']['type']>().toEqualTypeOf<'MERCHANT_ID' | 'PERSONAL_OPENID'>();
    expectTypeOf(client.v3.ecommerce.refunds.apply.post).toEqualTypeOf(client.chain('v3/ecommerce/refunds/apply').post);
    type Bind = typeof client.v3.merchantStore.stores._store_id_.recipients.bind.post;
    expectTypeOf<Options<Bind>['json']['sub_mchid']>().toEqualTypeOf<string>();
  });

  it('types keyword segments (return, use)', () => {
    type Use = typeof client.v3.marketing.busifavor.coupons.use.post;
    expectTypeOf<Data<Use>['wechatpay_use_time']>().toEqualTypeOf<string>();
    type Return = typeof client.v3.marketing.busifavor.coupons.return.post;
    expectTypeOf<Options<Return>['json']>().not.toBeAny();
  });

  it('reaches mixed-case literals and trailing slashes through chain() and brackets only', () => {
    type Add = typeof client['v2/secapi/mch/addInstitutionsub']['post'];
    expectTypeOf<Options<Add>['xml']['merchant_name']>().toEqualTypeOf<string>();
    expectTypeOf(client.chain('v2/secapi/mch/addInstitutionsub').post).toEqualTypeOf<Add>();
    type Applyment = typeof client['v3/applyment4sub/applyment/']['post'];
    expectTypeOf<Options<Applyment>['json']['business_code']>().toEqualTypeOf<string>();
    const misuse = () => {
      // @ts-expect-error `addInstitutionsub` would normalize to add-institutionsub, so it is not a property
      void client.v2.secapi.mch.addInstitutionsub;
    };
    expectTypeOf(misuse).toBeFunction();
  });

  it('keeps chain() usable with loose types for paths the catalog does not know', () => {
    expectTypeOf(client.chain('v3/not-yet-in-the-catalog/{id}')).toEqualTypeOf<ChainNode>();
    expectTypeOf(client.v3.ecommerce.chain('refunds/new-thing')).toEqualTypeOf<ChainNode>();
    expectTypeOf(client.chain('v3/x').post).toEqualTypeOf<ChainNode['post']>();
  });

  it('accepts the request options every call takes (transport, retry, encrypt) next to the endpoint options', () => {
    type Options = Parameters<typeof client.v3.applyment4sub.applyment.applyment_id._applyment_id_.get>[0];
    expectTypeOf<Options['timeout']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<Options['signal']>().toEqualTypeOf<AbortSignal | undefined>();
    expectTypeOf<NonNullable<Options['retry']>>().not.toBeNever();
    type Post = Parameters<typeof client['v3/applyment4sub/applyment/']['post']>[0];
    expectTypeOf<NonNullable<Post['encrypt']>>().not.toBeNever();
  });

  it('keeps the client members', () => {
    expectTypeOf(client.close).toEqualTypeOf<() => Promise<void>>();
    expectTypeOf(client.pipeline.use).toBeFunction();
  });
});
