/**
 * docs/guides/testing.md (issue 16) cannot rot: every TypeScript block in it is an example file
 * under examples/testing/ exactly as the file is (its first line names the file), every example
 * file is in the guide, the vitest examples run with the suite (vitest.config.ts includes them;
 * `npm run typecheck` and `npm run lint` cover them too) and the node:test ones run here, with
 * `node --test` as the guide says. The README and docs/README.md link to the guide.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import config from '../../vitest.config.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const GUIDE = 'docs/guides/testing.md';
const EXAMPLES = 'examples/testing';
const guide = readFileSync(join(root, GUIDE), 'utf8');

/** Fenced blocks: language and text. */
const blocks = [...guide.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map(([, language = '', text = '']) => ({ language, text }));
const code = blocks.filter((block) => ['ts', 'typescript', 'js', 'javascript', 'tsx'].includes(block.language));

function files(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)]));
}
const examples = files(EXAMPLES).map((file) => relative(root, join(root, file)).replaceAll('\\', '/'));

describe(`${GUIDE}`, () => {
  it('shows every TypeScript example as the file it names in its first line', () => {
    expect(code.length).toBeGreaterThanOrEqual(8);
    for (const block of code) {
      const named = /^\/\/ (examples\/testing\/\S+\.ts)\b/.exec(block.text)?.[1];
      expect(named, `a code block of ${GUIDE} names no example file:\n${block.text.slice(0, 200)}`).toBeDefined();
      expect(examples).toContain(named);
      expect(block.text, `${GUIDE} shows ${named} other than it is`).toBe(readFileSync(join(root, named as string), 'utf8'));
    }
  });

  it('shows every example file once', () => {
    const shown = code.map((block) => /^\/\/ (\S+)/.exec(block.text)?.[1]);
    expect([...shown].sort()).toEqual([...examples].sort());
  });

  it('has its vitest examples in the suite, and node:test examples named for `node --test`', () => {
    expect(config.test?.include).toContain(`${EXAMPLES}/vitest/**/*.test.ts`);
    const vitest = examples.filter((file) => file.startsWith(`${EXAMPLES}/vitest/`));
    const node = examples.filter((file) => file.startsWith(`${EXAMPLES}/node/`));
    expect(vitest.length).toBeGreaterThanOrEqual(6);
    expect(node.length).toBeGreaterThanOrEqual(2);
    for (const file of [...vitest, ...node]) expect(file).toMatch(/\.test\.ts$/);
    for (const file of node) expect(readFileSync(join(root, file), 'utf8')).toMatch(/from 'node:test'/);
    expect(guide).toContain(`node --import tsx --test ${EXAMPLES}/node/*.test.ts`);
  });

  it('runs the node:test examples with node --test: every test passes', { timeout: 90_000 }, async () => {
    const node = examples.filter((file) => file.startsWith(`${EXAMPLES}/node/`));
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', '--test', ...node], { cwd: root, timeout: 80_000, env: { PATH: process.env.PATH ?? '' } }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
      );
    });
    expect(run.stdout).toMatch(/^# fail 0$/m);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const tests = node.reduce((count, file) => count + (readFileSync(join(root, file), 'utf8').match(/^\s*it\(/gm)?.length ?? 0), 0);
    expect(run.stdout).toMatch(new RegExp(`^# pass ${tests}$`, 'm'));
  });

  it('is linked from the README (the emulator section) and docs/README.md', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## The emulator'), readme.indexOf('\n## ', readme.indexOf('## The emulator') + 1));
    expect(section).toContain('](https://github.com/wechatpay-chain/wechatpay-chain/blob/main/docs/guides/testing.md)');
    expect(readFileSync(join(root, 'docs/README.md'), 'utf8')).toContain('](guides/testing.md)');
  });
});
