// examples/testing/fixtures.ts — test support: a shop wired to an emulator
import { Builder, type ClientConfig } from 'wechatpay-chain';
import type { Emulator } from 'wechatpay-chain/testing';
import type { Shop } from './shop.js';

export function shopOn(emulator: Emulator, overrides: Partial<ClientConfig> = {}): Shop {
  return {
    // in process by default: clientConfig() carries `dispatcher: emulator.dispatcher()`, no socket
    client: Builder.factory(emulator.clientConfig(overrides)),
    mchid: emulator.merchant.mchid,
    appid: 'wxd678efh567hg6787',
    notifyUrl: 'https://shop.example.com/notify',
    webhook: { certs: { [emulator.platform.serial]: emulator.platform.publicKeyPem }, apiv3Key: emulator.apiv3Key },
    paid: new Set(),
  };
}
