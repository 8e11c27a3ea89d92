/**
 * Issue 16: an optional peer dependency that is not installed (`msw` for the emulator,
 * `@peculiar/x509` for test certificates) is a `MissingPeerError` whose message names the
 * command to run, not a raw loader error; `wechatpay-chain/testing` itself still imports (msw
 * is loaded on first use, through lib/lazy.ts), and `wxpay sandbox` says the same.
 *
 * Each case runs in a child process inside a scratch project (OS temp folder) whose
 * node_modules lacks the package, against the source (lib/, through tsx) and the build (dist/).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDist, releaseEntries } from '../support/entries.js';
import { scratchProject, type ScratchProject } from '../support/scratch-project.js';

const PACKAGE = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
};
const PEERS = PACKAGE.peerDependencies;

/** Whether `version` satisfies a caret range `^X.Y.Z` (the only form the peers use). */
function caret(range: string, version: string): boolean {
  const [major, minor, patch] = (/^\^(\d+)\.(\d+)\.(\d+)$/.exec(range) ?? []).slice(1).map(Number);
  const [a, b, c] = version.split('.').map(Number);
  if (major === undefined || minor === undefined || patch === undefined || a === undefined || b === undefined || c === undefined) throw new Error(`not a caret range / version: ${range} ${version}`);
  return a === major && (b > minor || (b === minor && c >= patch));
}

describe('package.json', () => {
  it('declares msw and @peculiar/x509 as optional peers, in ranges the installed (tested) versions satisfy', () => {
    expect(Object.keys(PEERS).sort()).toEqual(['@peculiar/x509', 'msw']);
    expect(PACKAGE.peerDependenciesMeta).toEqual({ msw: { optional: true }, '@peculiar/x509': { optional: true } });
    for (const [name, range] of Object.entries(PEERS)) {
      const installed = (JSON.parse(readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version: string }).version;
      expect(caret(range, installed), `${name} ${installed} is outside ${range}`).toBe(true);
    }
    // msw from 2.8 has the module-sync export: require('msw') (how lib/lazy.ts loads it) is the
    // same ES module as the application's import 'msw'
    expect(PEERS.msw).toBe('^2.8.0');
  });
});

interface Outcome {
  ok?: true;
  name?: string;
  message?: string;
  peer?: string;
  range?: string;
  missingPeer?: boolean;
  weChatPay?: boolean;
  cause?: string;
  code?: string;
}

/** A module that tries each of `steps` (async functions of the testing entry) and prints what each did. */
function probe(entry: string, main: string, steps: Record<string, string>): string {
  return `import * as testing from '${entry}';
import { WeChatPayError } from '${main}';
const { MissingPeerError } = testing;
const outcomes = {};
${Object.entries(steps)
  .map(
    ([name, body]) => `try {
  await (async () => { ${body} })();
  outcomes[${JSON.stringify(name)}] = { ok: true };
} catch (e) {
  outcomes[${JSON.stringify(name)}] = { name: e.name, message: e.message, peer: e.peer, range: e.range, missingPeer: e instanceof MissingPeerError, weChatPay: e instanceof WeChatPayError, cause: e.cause?.code, code: e.code };
}`,
  )
  .join('\n')}
console.log(JSON.stringify(outcomes));
`;
}

function parse(run: { code: number | null; stdout: string; stderr: string }): Record<string, Outcome> {
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Record<string, Outcome>;
}

const STEPS = {
  create: 'testing.Emulator.create({ modulusLength: 1024 });',
  sandbox: 'testing.Emulator.create({ modulusLength: 1024, sandbox: true });',
  seed: 'testing.seedHandlers();',
  certificate: "await testing.createCertificate({ commonName: 'Test CA', ca: true });",
};

describe.each(['lib', 'dist'] as const)('a missing optional peer (%s)', (kind) => {
  let dist: string | undefined;
  const projects: ScratchProject[] = [];
  const project = (without: string[], fakes?: Record<string, Record<string, string>>) => {
    const made = scratchProject(kind, { without, dist, fakes });
    projects.push(made);
    return made;
  };
  beforeAll(async () => {
    if (kind === 'dist') dist = await buildDist();
  }, 120_000);
  afterAll(() => {
    for (const made of projects) made.remove();
    releaseEntries();
  });

  it('without msw and @peculiar/x509: the entry imports; each feature names the package to install', async () => {
    const scratch = project(['msw', '@peculiar/x509']);
    scratch.write('probe.mjs', probe(scratch.entry('testing'), scratch.entry(''), STEPS));
    const outcomes = parse(await scratch.node(['probe.mjs']));
    for (const step of ['create', 'sandbox', 'seed'] as const) {
      const outcome = outcomes[step] as Outcome;
      expect(outcome).toMatchObject({ name: 'MissingPeerError', peer: 'msw', range: PEERS.msw, missingPeer: true, weChatPay: true });
      expect(outcome.message).toContain('npm install --save-dev msw@2');
      expect(outcome.cause).toMatch(/^(ERR_)?MODULE_NOT_FOUND$/);
    }
    expect(outcomes.create?.message).toMatch(/^msw is not installed/);
    expect(outcomes.certificate).toMatchObject({ name: 'MissingPeerError', peer: '@peculiar/x509', range: PEERS['@peculiar/x509'], missingPeer: true });
    expect(outcomes.certificate?.message).toContain('npm install --save-dev @peculiar/x509@1');
    // the docs quote them as they are
    expect(readFileSync(new URL('../../docs/guides/testing.md', import.meta.url), 'utf8')).toContain(`MissingPeerError: ${outcomes.create?.message}\n`);
    expect(readFileSync(new URL('../../docs/guides/errors.md', import.meta.url), 'utf8')).toContain(`MissingPeerError: ${outcomes.certificate?.message}\n`);
  });

  it('with msw but without @peculiar/x509: the emulator works, certificate mode names @peculiar/x509', async () => {
    const scratch = project(['@peculiar/x509']);
    scratch.write(
      'probe.mjs',
      probe(scratch.entry('testing'), scratch.entry(''), {
        create: STEPS.create,
        // the emulator's own handlers are made by the msw the application imports (one msw)
        oneMsw: "const { RequestHandler } = await import('msw'); if (!testing.Emulator.create({ modulusLength: 1024 }).handlers.every((h) => h instanceof RequestHandler)) throw new Error('two copies of msw');",
        platformCertificate: 'await testing.Emulator.create({ modulusLength: 1024 }).addPlatformCertificate();',
        merchantCertificate: 'await testing.Emulator.create({ modulusLength: 1024 }).merchantCertificate();',
      }),
    );
    const outcomes = parse(await scratch.node(['probe.mjs']));
    expect(outcomes.create).toEqual({ ok: true });
    expect(outcomes.oneMsw).toEqual({ ok: true });
    for (const step of ['platformCertificate', 'merchantCertificate']) {
      expect(outcomes[step]).toMatchObject({ name: 'MissingPeerError', peer: '@peculiar/x509', missingPeer: true });
      expect(outcomes[step]?.message).toContain('npm install --save-dev @peculiar/x509@1');
    }
  });

  it("passes msw's own loader error through when msw is there but one of its files or dependencies is not", async () => {
    // a broken msw: found, but it requires a package that is not installed
    const scratch = project(['msw'], {
      msw: {
        'package.json': '{ "name": "msw", "version": "2.99.0", "main": "index.cjs" }\n',
        'index.cjs': "module.exports = require('no-such-dependency-of-msw');\n",
      },
    });
    scratch.write('probe.mjs', probe(scratch.entry('testing'), scratch.entry(''), { create: STEPS.create }));
    const outcomes = parse(await scratch.node(['probe.mjs']));
    expect(outcomes.create?.missingPeer).toBe(false);
    expect(outcomes.create?.code).toBe('MODULE_NOT_FOUND');
    expect(outcomes.create?.message).toContain("'no-such-dependency-of-msw'");
  });

  it('wxpay sandbox without msw: the same message, exit code 1', async () => {
    const scratch = project(['msw']);
    // the installed bin, or the CLI's source
    const cli = kind === 'dist' ? 'node_modules/wechatpay-chain/dist/cli/index.js' : 'lib/cli/index.ts';
    const run = await scratch.node([cli, 'sandbox', '--port', '0', '--dir', 'sandbox']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^wxpay: msw is not installed.*npm install --save-dev msw@2/);
  });
});
