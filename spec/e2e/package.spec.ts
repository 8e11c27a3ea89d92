/**
 * The JavaScript as published: `scripts/build.ts` bundles every entry point (package.json
 * `exports` and the CLI) with shared chunks.
 * Built here (JavaScript only, esbuild, about a second) into node_modules/.cache so the external
 * dependencies resolve as they do for an installed package.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointHelp } from '../../lib/cli/endpoint-help.js';
import { VERSION } from '../../lib/version.js';
import { loadedBy, type Metafile } from '../../scripts/bundle-meta.js';
import { ENTRY_POINTS } from '../support/entries.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let dist = '';

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: root, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  dist = join(await mkdtemp(join(cache, 'wechatpay-chain-package-')), 'dist');
  const build = await run(['--import', 'tsx', 'scripts/build.ts', '--js-only', `--outdir=${dist}`]);
  expect(build.stderr).toBe('');
  expect(build.code).toBe(0);
}, 90_000);

afterAll(async () => {
  if (dist) await rm(join(dist, '..'), { recursive: true, force: true });
});

describe('the built package', () => {
  it('has every entry point of package.json (exports and bin) and puts shared code in dist/chunks', async () => {
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { exports: Record<string, string | { default?: string }>; bin: Record<string, string> };
    const imports = Object.values(pkg.exports).flatMap((target) => (typeof target === 'object' && target.default ? [target.default] : []));
    expect(imports.length).toBe(Object.keys(ENTRY_POINTS).length);
    const wanted = [...imports, pkg.bin.wxpay as string].map((p) => relative('dist', p));
    const files = await readdir(dist, { recursive: true });
    for (const file of wanted) expect(files).toContain(file);
    expect(files.filter((f) => f.startsWith('chunks') && f.endsWith('.js')).length).toBeGreaterThan(0);
  });

  it('lets CommonJS require() every entry point: nothing an entry loads uses top-level await, which require(esm) refuses', async () => {
    // in a fresh process: what this one already imported does not count
    const files = Object.values(ENTRY_POINTS).map(({ module }) => join(dist, `${module}.js`));
    const required = await run(['-e', `for (const file of ${JSON.stringify(files)}) require(file);`]);
    expect(required.stderr).toBe('');
    expect(required.code).toBe(0);
  });

  it('defines every class once, so what one entry makes is instanceof what another exports', async () => {
    const files = (await readdir(dist, { recursive: true })).filter((f) => f.endsWith('.js'));
    const sources = await Promise.all(files.map((f) => readFile(join(dist, f), 'utf8')));
    // esbuild writes `var HttpError = class extends …` (or `class HttpError`)
    const definitions = [...sources.join('\n').matchAll(/\b(?:class (\w+)|(\w+) = class)\b/g)].map((m) => m[1] ?? m[2]);
    for (const name of ['WeChatPayError', 'HttpError', 'VerificationError', 'ArgumentError', 'DecodeError', 'Verifier', 'Pipeline', 'MediaUtil', 'CertificateManager', 'Emulator', 'MswDispatcher']) {
      expect(definitions.filter((d) => d === name), name).toEqual([name]);
    }

    const load = async <T>(module: string) => (await import(pathToFileURL(join(dist, `${module}.js`)).href)) as T;
    const main = await load<typeof import('../../lib/index.js')>(ENTRY_POINTS.main.module);
    const testing = await load<typeof import('../../lib/testing/index.js')>(ENTRY_POINTS.testing.module);
    const crypto = await load<typeof import('../../lib/crypto/index.js')>(ENTRY_POINTS.crypto.module);
    const webhook = await load<typeof import('../../lib/webhook/index.js')>(ENTRY_POINTS.webhook.module);
    const apiv2 = await load<typeof import('../../lib/apiv2/index.js')>(ENTRY_POINTS.apiv2.module);
    const media = await load<typeof import('../../lib/media/index.js')>(ENTRY_POINTS.media.module);
    const download = await load<typeof import('../../lib/download/index.js')>(ENTRY_POINTS.download.module);
    const certificates = await load<typeof import('../../lib/certificates/index.js')>(ENTRY_POINTS.certificates.module);
    const doctor = await load<typeof import('../../lib/doctor/index.js')>(ENTRY_POINTS.doctor.module);

    const emulator = testing.Emulator.create({ handlers: testing.mediaHandlers() });
    const client = main.Builder.factory(emulator.clientConfig());
    const res = await client.v3.ecommerce.refunds._refund_id_.returnAdvance.post({ refund_id: testing.FIRST_REFUND_ID, json: { sub_mchid: '1900000109' } });
    expect(res.status).toBe(200);
    const error = await client.chain('v3/no/such/endpoint').get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(main.HttpError);
    expect(error).toBeInstanceOf(main.WeChatPayError);
    expect((error as Error).name).toBe('HttpError');

    // a MediaUtil from /media is the class the root's client accepts (it refuses any other)
    const upload = await client.v3.merchant.media.upload.post({ media: new media.MediaUtil('logo.png', Buffer.from('89504e470d0a1a0a', 'hex')) });
    expect(upload.status).toBe(200);
    // the client's Verifier (root) is the one /webhook accepts as `verifier`
    const notification = testing.createNotification(emulator, { resource: { out_trade_no: 'T1' } });
    expect(webhook.parseNotification(notification, { verifier: client.verifier, apiv3Key: emulator.apiv3Key }).resource).toEqual({ out_trade_no: 'T1' });
    // errors thrown by each toolkit are the root's classes
    const thrown = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e;
      }
      return undefined;
    };
    expect(thrown(() => crypto.AesGcm.decrypt('AAAA', 'short', 'n'))).toBeInstanceOf(main.ArgumentError);
    expect(thrown(() => webhook.parseNotification({ headers: {}, body: '{}' }, { verifier: client.verifier, apiv3Key: emulator.apiv3Key }))).toBeInstanceOf(main.VerificationError);
    expect(thrown(() => apiv2.ApiV2.parseXml('<!DOCTYPE x><xml/>'))).toBeInstanceOf(main.DecodeError);
    expect(thrown(() => certificates.decryptCertificates({}, emulator.apiv3Key))).toBeInstanceOf(main.VerificationError);
    await expect(download.saveStream((async function* () {})(), '')).rejects.toBeInstanceOf(main.ArgumentError);
    await expect(doctor.diagnose(null as never)).rejects.toBeInstanceOf(main.ArgumentError);
    await client.close();
  });

  it('loads the typed catalog and the CLI help data only as types or on demand', async () => {
    const meta = JSON.parse(await readFile(join(dist, 'meta.json'), 'utf8')) as Metafile;
    const inputs = [...loadedBy(meta, 'dist/index.js').inputs.keys()];
    expect(inputs).toContain('lib/client/builder.ts');
    expect(inputs.filter((i) => i.startsWith('lib/openapi/'))).toEqual([]);
    expect(inputs.filter((i) => i.startsWith('lib/cli/') || i.startsWith('lib/testing/'))).toEqual([]);
    // the toolkits the root does not export are not loaded by it either (their subpaths load them);
    // the root's diagnose is a shim that loads the doctor's checks on its first call
    expect(inputs.filter((i) => /^lib\/(webhook|download|certificates|doctor)\//.test(i))).toEqual(['lib/doctor/on-demand.ts']);
    // a plain `wxpay` call loads the help code (and so its data) only through import()
    const cli = [...loadedBy(meta, 'dist/cli/index.js').inputs.keys()];
    expect(cli).toContain('lib/cli/program.ts');
    expect(cli).not.toContain('lib/cli/endpoint-help.ts');
  });

  it('prints `wxpay <endpoint> --help` from the help data in dist/cli/help, as the source does', async () => {
    const seed = 'v3/ecommerce/refunds/{refund_id}/return-advance';
    expect(await readdir(join(dist, 'cli', 'help'))).toContain('index.json');
    const [built, unknown] = await Promise.all([run([join(dist, 'cli', 'index.js'), seed, '--help']), run([join(dist, 'cli', 'index.js'), 'v3/pay/transactionz/native', '--help'])]);
    expect(built.code, built.stderr).toBe(0);
    // no docs/api beside this build: the last line names the page in the repository instead of a local file
    const page = /^Response fields and code examples: (.*)$/m;
    expect(built.stdout.match(page)?.[1]).toBe(`docs/api/${seed}.md in the wechatpay-chain repository`);
    expect(built.stdout.replace(page, '')).toBe(endpointHelp(seed).replace(page, ''));
    expect(unknown.stdout).toBe(endpointHelp('v3/pay/transactionz/native'));
  });

  it('runs the wxpay CLI from dist/cli/index.js', async () => {
    const result = await run([join(dist, 'cli', 'index.js'), '--version']);
    expect(result.stdout.trim()).toBe(VERSION);
    expect(result.code).toBe(0);
  });
});
