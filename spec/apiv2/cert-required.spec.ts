/**
 * The generated list of APIv2 endpoints that need the merchant certificate, checked against the
 * catalog files themselves (read here with js-yaml, not with the generator's reader).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { CERT_REQUIRED_V2 } from '../../lib/apiv2/cert-required.js';
import { needsCertificate } from '../../lib/testing/v2.js';
import { DEFAULT_CATALOG } from '../../scripts/generate.js';


type Doc = Record<string, unknown>;
const yaml = (file: string) => load(readFileSync(join(DEFAULT_CATALOG, file), 'utf8')) as Doc;

/** Every APIv2 operation of the catalog that says `x-api-cert-required: true`, as `template` (no `v2/`). */
function certRequiredOperations(): string[] {
  const paths = yaml('swagger.yaml').paths as Record<string, { $ref?: string }>;
  const out: string[] = [];
  for (const [path, entry] of Object.entries(paths)) {
    const ref = entry.$ref?.replace(/^\.\//, '');
    if (!ref?.startsWith('v2/')) continue;
    for (const operation of Object.values(yaml(ref))) {
      if ((operation as Doc | null)?.['x-api-cert-required'] === true) out.push(path.replace(/^\//, ''));
    }
  }
  return out;
}

describe('CERT_REQUIRED_V2', () => {
  it('holds APIv2 templates as the chain builds them: refund, transfers and uploadmedia in; micropay, orderquery and downloadbill out', () => {
    for (const template of ['secapi/pay/refund', 'mmpaymkttransfers/promotion/transfers', 'secapi/mch/uploadmedia']) expect(CERT_REQUIRED_V2.has(template), template).toBe(true);
    for (const template of ['pay/micropay', 'pay/orderquery', 'pay/downloadbill']) expect(CERT_REQUIRED_V2.has(template), template).toBe(false);
    // the chain strips `v2/` before matching, and a leading slash is never part of a template
    expect([...CERT_REQUIRED_V2].filter((t) => t.startsWith('v2/') || t.startsWith('/'))).toEqual([]);
  });

  it('has one entry per x-api-cert-required operation under v2 in the catalog', () => {
    const operations = certRequiredOperations();
    expect(operations.length).toBeGreaterThan(0);
    expect(CERT_REQUIRED_V2.size).toBe(operations.length);
    expect([...CERT_REQUIRED_V2].sort()).toEqual([...new Set(operations)].sort());
  });

  it('is where the emulator insists on the certificate, and only there', () => {
    for (const template of CERT_REQUIRED_V2) expect(needsCertificate(`/${template}`), template).toBe(true);
    for (const path of ['/pay/micropay', '/pay/orderquery', '/pay/downloadbill', '/pay/refundquery']) expect(needsCertificate(path), path).toBe(false);
  });
});
