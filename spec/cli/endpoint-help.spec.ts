import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DOCS_API_DIR, docsPageOf, endpointHelp, findEndpoint, HELP_DATA_DIR, readEndpoint, renderEndpointHelp, type HelpIndex } from '../../lib/cli/endpoint-help.js';
import { endpointHelpTarget } from '../../lib/cli/program.js';

const SEED = 'v3/ecommerce/refunds/{refund_id}/return-advance';
const files = (JSON.parse(readFileSync(join(HELP_DATA_DIR, 'index.json'), 'utf8')) as HelpIndex).files;
const scratch = mkdtempSync(join(tmpdir(), 'wechatpay-chain-help-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

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

describe('findEndpoint', () => {
  it('finds an entry from a path, a chain, other variable names or concrete values', () => {
    expect(findEndpoint(SEED)).toBe(SEED);
    expect(findEndpoint('/v3/ecommerce/refunds/<id>/return-advance')).toBe(SEED);
    expect(findEndpoint('v3.ecommerce.refunds._refund_id_.returnAdvance')).toBe(SEED);
    expect(findEndpoint('v3/ecommerce/refunds/50000000382019052709732678859/return-advance')).toBe(SEED);
    expect(findEndpoint('v3/applyment4sub/applyment/')).toBe('v3/applyment4sub/applyment/{empty}');
    expect(findEndpoint('v3/ecommerce/refunds/{refund_id}/return-advance-nope')).toBeUndefined();
    expect(findEndpoint('v3/../v3/pay/transactions/native')).toBeUndefined();
    expect(findEndpoint('v3//pay/transactions/native')).toBeUndefined();
    // a concrete value in the last segment finds the variable file
    expect(findEndpoint('v3/pay/transactions/id/4200000001')).toBe('v3/pay/transactions/id/{transaction_id}');
  });

  it('prefers a literal segment, falls back to a {variable} when the literal leads nowhere, and takes variables in name order', () => {
    const root = join(scratch, 'synthetic');
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'index.json'), JSON.stringify({ files: ['v3/a/{x}/c', 'v3/a/b/d', 'v3/a/{w}/c', 'v3/a/{x}', 'v3/a/{w}', 'v3/a/b'] }));
    expect(findEndpoint('v3/a/b/d', root)).toBe('v3/a/b/d');
    expect(findEndpoint('v3/a/b/c', root)).toBe('v3/a/{w}/c');
    expect(findEndpoint('v3.a.b', root)).toBe('v3/a/b');
    expect(findEndpoint('v3/a/q', root)).toBe('v3/a/{w}');
    expect(findEndpoint('v3/a/q/c', root)).toBe('v3/a/{w}/c');
    expect(findEndpoint('v3/a/q/d', root)).toBeUndefined();
    expect(findEndpoint('v3/a', root)).toBeUndefined();
  });

  it('every catalog entry is found again by its template, and has an example whose JSON flags parse', () => {
    expect(files.length).toBeGreaterThan(1000);
    for (const file of files) {
      const entry = readEndpoint(file);
      expect(findEndpoint(entry.template), entry.template).toBe(file);
      expect(entry.operations.length, file).toBeGreaterThan(0);
      const text = renderEndpointHelp(entry);
      for (const op of entry.operations.filter((o) => !o.multipart)) expect(op.example, `${op.method} ${file}`).toBeDefined();
      // uploads cannot be sent by wxpay: no example line for them
      const calls = entry.operations.filter((op) => !op.multipart);
      const examples = text.split('\n').filter((l) => l.startsWith('    wxpay '));
      expect(examples.length, file).toBe(calls.length);
      calls.forEach((op, i) => {
        if (op.method !== 'get' && op.method !== 'post') expect(examples[i], file).toContain(`-X ${op.method}`);
        for (const flag of ['json', 'xml', 'query']) if (examples[i]?.includes(`--${flag} '`)) expect(() => flagJson(examples[i] as string, flag), examples[i]).not.toThrow();
      });
    }
  });

  it('reads one entry without parsing its whole area file, and says when the data lacks it', () => {
    const root = join(scratch, 'one-area');
    cpSync(HELP_DATA_DIR, root, { recursive: true });
    // a broken neighbour line does not matter: only the entry's own line is parsed
    const area = join(root, 'v3-ecommerce.json');
    writeFileSync(area, readFileSync(area, 'utf8').replace(/\n"v3\/ecommerce\/account\/apply-cancel-withdraw":\{/, '\n"v3/ecommerce/account/apply-cancel-withdraw":{oops'));
    expect(readEndpoint(SEED, root)).toEqual(readEndpoint(SEED));
    expect(() => readEndpoint('v3/ecommerce/no-such-thing', root)).toThrow(RangeError);
    expect(() => readEndpoint('v9/nowhere', root)).toThrow(/v9\/nowhere is not in the help data/);
  });
});

describe('docsPageOf', () => {
  const file = 'v3/pay/transactions/native';
  const packageJson = (repository: unknown) => {
    const path = join(scratch, `package-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, JSON.stringify({ name: 'wechatpay-chain', repository }));
    return path;
  };

  it('points at the page of a checkout when there is one', () => {
    expect(docsPageOf(file)).toBe(join(DOCS_API_DIR, `${file}.md`));
  });

  it('installed (no docs/api), links the page in the GitHub repository package.json names, in any npm spelling', () => {
    const page = 'https://github.com/acme/wechatpay-chain/blob/HEAD/docs/api/v3/ecommerce/refunds/%7Brefund_id%7D/return-advance.md';
    for (const repository of ['github:acme/wechatpay-chain', 'acme/wechatpay-chain', 'https://github.com/acme/wechatpay-chain', { type: 'git', url: 'git+https://github.com/acme/wechatpay-chain.git' }, { url: 'git+ssh://git@github.com/acme/wechatpay-chain.git' }]) {
      expect(docsPageOf(SEED, scratch, packageJson(repository)), JSON.stringify(repository)).toBe(page);
    }
  });

  it('names the page by its path in the repository when package.json names none it can link to', () => {
    for (const repository of [undefined, 'https://gitlab.com/acme/wechatpay-chain', { url: 42 }]) {
      expect(docsPageOf(file, scratch, packageJson(repository))).toBe('docs/api/v3/pay/transactions/native.md in the wechatpay-chain repository');
    }
    expect(docsPageOf(file, scratch, join(scratch, 'no-package.json'))).toBe('docs/api/v3/pay/transactions/native.md in the wechatpay-chain repository');
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

  it('names the host of an endpoint served elsewhere than the default host, and only then', () => {
    // vendor/wechatpay-openapi/v2/risk/getpublickey.yaml: x-base-uri https://fraud.mch.weixin.qq.com/
    expect(endpointHelp('v2/risk/getpublickey')).toMatch(/^APIv2 \(XML\) · POST\nHost: https:\/\/fraud\.mch\.weixin\.qq\.com\/ \(not the default host;.*"hosts" in the --config file or WECHATPAY_HOSTS\)$/m);
    // global/ (跨境 customs) is served by apihk (wechatpay-java HostName.APIHK), like the catalog's own v3/global/certificates
    expect(endpointHelp('global/v3/customs/orders')).toMatch(/^Host: https:\/\/apihk\.mch\.weixin\.qq\.com\/ /m);
    expect(endpointHelp('v3/global/certificates')).toMatch(/^Host: https:\/\/apihk\.mch\.weixin\.qq\.com\/ /m);
    expect(endpointHelp(SEED)).not.toMatch(/^Host:/m);
    // hk/ stays on the default host (wechatpay-php's StatementsTest sends /hk/v3/statements to api.mch.weixin.qq.com)
    expect(endpointHelp('hk/v3/statements')).not.toMatch(/^Host:/m);
  });

  it('says a path is not in the catalog, still shows how to call it, and lists the catalog paths nearby', () => {
    const text = endpointHelp('v3/pay/transactionz/native');
    expect(text).toMatch(/^v3\/pay\/transactionz\/native is not in the endpoint catalog\./);
    expect(text).toMatch(/It can still be called/);
    expect(text).toMatch(/wxpay v3\/pay\/transactionz\/native \[--json/);
    expect(text).toMatch(/Catalog paths under v3\/pay\/:\n(?:.*\n)*\s+v3\/pay\/transactions\n/);
    expect(endpointHelp('v3/x', '/nonexistent/cli/help')).toMatch(/not in the endpoint catalog \(no catalog help data at \/nonexistent/);
  });
});
