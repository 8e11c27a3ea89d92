import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOCS_API_DIR, endpointHelp, findEndpointPage, parseEndpointPage, renderEndpointHelp } from '../../lib/cli/endpoint-help.js';
import { endpointHelpTarget } from '../../lib/cli/program.js';

const SEED = 'v3/ecommerce/refunds/{refund_id}/return-advance';
const pages = (readdirSync(DOCS_API_DIR, { recursive: true }) as string[]).filter((f) => f.endsWith('.md') && f !== 'README.md');

/** The value of `--flag 'json'` in a rendered example line. */
function flagJson(line: string, flag: string): unknown {
  const match = new RegExp(`--${flag} '((?:[^']|'\\\\'')*)'`).exec(line);
  return match ? JSON.parse((match[1] as string).replace(/'\\''/g, "'")) : undefined;
}

describe('endpointHelpTarget', () => {
  it('finds the endpoint of `wxpay <endpoint> --help` and `wxpay request <endpoint> --help`, and leaves the other helps to commander', () => {
    expect(endpointHelpTarget([SEED, '--help'])).toBe(SEED);
    expect(endpointHelpTarget(['request', 'v2.pay.micropay', '-h'])).toBe('v2.pay.micropay');
    expect(endpointHelpTarget([SEED, '--refund_id=1', '--help', '-c', 'cfg.json'])).toBe(SEED);
    expect(endpointHelpTarget(['--help'])).toBeUndefined();
    expect(endpointHelpTarget(['request', '--help'])).toBeUndefined();
    expect(endpointHelpTarget(['crt', '--help'])).toBeUndefined();
    expect(endpointHelpTarget(['doctor', '--help'])).toBeUndefined();
    expect(endpointHelpTarget(['-c', 'cfg.json', 'doctor', '--online', '-h'])).toBeUndefined();
    expect(endpointHelpTarget([SEED, '--refund_id=1'])).toBeUndefined();
    expect(endpointHelpTarget([SEED, '--', '--help'])).toBeUndefined();
  });

  it('finds the endpoint after flags that take a value, as commander parses them', () => {
    expect(endpointHelpTarget(['-c', 'cfg.json', SEED, '--help'])).toBe(SEED);
    expect(endpointHelpTarget(['--config', 'cfg.json', '-m', '1900000109', 'request', SEED, '-h'])).toBe(SEED);
    expect(endpointHelpTarget(['--timeout=5000', SEED, '--help'])).toBe(SEED);
    expect(endpointHelpTarget(['-c', 'cfg.json', '--help'])).toBeUndefined();
    expect(endpointHelpTarget(['-c', 'cfg.json', 'crt', '--help'])).toBeUndefined();
    // a variadic flag takes every following word, so nothing is left for an endpoint (commander agrees)
    expect(endpointHelpTarget(['--certs', 'A=a.pem', SEED, '--help'])).toBeUndefined();
    expect(endpointHelpTarget(['--certs', 'A=a.pem', '-c', 'cfg.json', SEED, '--help'])).toBe(SEED);
  });
});

describe('findEndpointPage', () => {
  it('finds a page from a path, a chain, other variable names or concrete values', () => {
    const page = join(DOCS_API_DIR, 'v3/ecommerce/refunds/{refund_id}/return-advance.md');
    expect(findEndpointPage(SEED)).toBe(page);
    expect(findEndpointPage('/v3/ecommerce/refunds/<id>/return-advance')).toBe(page);
    expect(findEndpointPage('v3.ecommerce.refunds._refund_id_.returnAdvance')).toBe(page);
    expect(findEndpointPage('v3/ecommerce/refunds/50000000382019052709732678859/return-advance')).toBe(page);
    expect(findEndpointPage('v3/applyment4sub/applyment/')).toBe(join(DOCS_API_DIR, 'v3/applyment4sub/applyment/{empty}.md'));
    expect(findEndpointPage('v3/ecommerce/refunds/{refund_id}/return-advance-nope')).toBeUndefined();
    expect(findEndpointPage('v3/../v3/pay/transactions/native')).toBeUndefined();
  });

  it('every catalog page parses, is found again by its template, and has an example whose JSON flags parse', () => {
    expect(pages.length).toBeGreaterThan(1000);
    for (const file of pages) {
      const path = join(DOCS_API_DIR, file);
      const page = parseEndpointPage(readFileSync(path, 'utf8'));
      expect(findEndpointPage(page.template), page.template).toBe(path);
      expect(page.operations.length, file).toBeGreaterThan(0);
      const text = renderEndpointHelp(page);
      for (const op of page.operations.filter((o) => !o.multipart)) expect(op.example, `${op.method} ${file}`).toBeDefined();
      // uploads cannot be sent by wxpay: no example line for them
      const calls = page.operations.filter((op) => !op.multipart);
      const examples = text.split('\n').filter((l) => l.startsWith('    wxpay '));
      expect(examples.length, file).toBe(calls.length);
      calls.forEach((op, i) => {
        if (op.method !== 'get' && op.method !== 'post') expect(examples[i], file).toContain(`-X ${op.method}`);
        for (const flag of ['json', 'xml', 'query']) if (examples[i]?.includes(`--${flag} '`)) expect(() => flagJson(examples[i] as string, flag), examples[i]).not.toThrow();
      });
    }
  });
});

describe('endpointHelp', () => {
  it('lists methods, path variables, query and body fields with required markers, and example commands', () => {
    const text = endpointHelp('v3.ecommerce.refunds._refund_id_.returnAdvance');
    expect(text).toMatch(/^Usage: wxpay v3\/ecommerce\/refunds\/\{refund_id\}\/return-advance/);
    expect(text).toMatch(/APIv3 \(JSON\) · GET, POST/);
    expect(text).toMatch(/GET — 查询垫付回补结果API/);
    expect(text).toMatch(/POST — 垫付退款回补API/);
    expect(text).toMatch(/Path variables \(--name=value\):\n\s+refund_id\s+string\s+required\s+微信退款单号/);
    expect(text).toMatch(/Query \(--query '\{…\}'\):\n\s+sub_mchid\s+string\s+required\s+二级商户号/);
    expect(text).toMatch(/JSON body \(--json '\{…\}' or --json @file.json\), required:\n\s+sub_mchid\s+string\s+required/);
    const examples = text.split('\n').filter((l) => l.startsWith('    wxpay '));
    expect(examples).toEqual([
      `    wxpay ${SEED} --refund_id=50000000382019052709732678859 --query '{"sub_mchid":"1900000109"}'`,
      `    wxpay ${SEED} --refund_id=50000000382019052709732678859 --json '{"sub_mchid":"1900000109"}'`,
    ]);
  });

  it('an APIv2 page asks for --xml and shows enums and optional fields', () => {
    const text = endpointHelp('v2/pay/micropay');
    expect(text).toMatch(/APIv2 \(XML\) · POST/);
    expect(text).toMatch(/XML fields \(--xml/);
    expect(text).toMatch(/\n\s+auth_code\s+string\s+required\s+授权码/);
    expect(text).toMatch(/\n\s+sign_type\s+string\s+optional\s+签名类型 \[MD5, HMAC-SHA256\]/);
    const example = text.split('\n').find((l) => l.startsWith('    wxpay v2/pay/micropay --xml '));
    expect(flagJson(example ?? '', 'xml')).toMatchObject({ mch_id: '1900000109', auth_code: '120061098828009406' });
  });

  it('an endpoint needing the merchant certificate says what the config file must hold', () => {
    const text = endpointHelp('v2/secapi/pay/refund');
    expect(text).toMatch(/Needs the merchant API certificate \(sent over mutual TLS\): the --config file must hold "merchant": \{ "cert"/);
    expect(text).toMatch(/^ {4}wxpay v2\/secapi\/pay\/refund --xml '\{/m);
  });

  it('says a path is not in the catalog, still shows how to call it, and lists the catalog paths nearby', () => {
    const text = endpointHelp('v3/pay/transactionz/native');
    expect(text).toMatch(/^v3\/pay\/transactionz\/native is not in the endpoint catalog\./);
    expect(text).toMatch(/It can still be called/);
    expect(text).toMatch(/wxpay v3\/pay\/transactionz\/native \[--json/);
    expect(text).toMatch(/Catalog paths under v3\/pay\/:\n(?:.*\n)*\s+v3\/pay\/transactions\n/);
    expect(endpointHelp('v3/x', '/nonexistent/docs/api')).toMatch(/not in the endpoint catalog \(no catalog pages at \/nonexistent/);
  });
});
