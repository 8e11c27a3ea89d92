/**
 * The package page and every docs link (issue 16): package.json names the repository, and every
 * link of the repository's Markdown (README.md, docs/** with the generated docs/api pages,
 * CHANGELOG.md, SECURITY.md) resolves where it is read — on GitHub for the repository, on npm for
 * README.md, which the package page renders from the tarball.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { LinkChecker, outline, type Problem, type Repository } from '../support/markdown-links.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The canonical location of the repository (the project lead's choice, issue 16). */
const REPOSITORY = 'https://github.com/wechatpay-chain/wechatpay-chain';
/** The branch absolute links name: the repository's default branch. */
const BRANCH = 'main';

interface PackageJson {
  repository?: { type?: string; url?: string } | string;
  homepage?: string;
  bugs?: { url?: string } | string;
  keywords?: string[];
  files?: string[];
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson;

describe('package.json: what the package page links to', () => {
  it('names the repository, the homepage (its README) and the issue tracker, all at one location', () => {
    expect(pkg.repository).toEqual({ type: 'git', url: `git+${REPOSITORY}.git` });
    expect(pkg.homepage).toBe(`${REPOSITORY}#readme`);
    expect(pkg.bugs).toEqual({ url: `${REPOSITORY}/issues` });
  });

  it('has keywords a search for a WeChat Pay client finds, each once, in lower case', () => {
    const keywords = pkg.keywords ?? [];
    for (const keyword of ['wechatpay', 'wechat-pay', 'weixin', '微信支付', 'payment', 'apiv3', 'apiv2', 'emulator', 'sandbox', 'typescript', 'undici']) expect(keywords).toContain(keyword);
    expect(new Set(keywords).size).toBe(keywords.length);
    for (const keyword of keywords) expect(keyword).toBe(keyword.toLowerCase());
  });
});

describe('anchors follow GitHub: github-slugger over the heading text', () => {
  // Expected slugs from github-slugger's test/fixtures.json (Flet/github-slugger, made by rendering
  // each heading in a gist on GitHub and reading the ids back): "Camelcase", "Characters: dots,
  // parents, brackets", "Non-ascii: Cyrillic + Han", "Repetition (1)…(5)", "Math_Symbol" (every
  // math symbol sampled, ∘ U+2218 and √ U+221A among them, is dropped; ∙ U+2219 is one too).
  it('lower-cases, drops punctuation and math symbols, keeps Han, and numbers repeats -1, -2', () => {
    const headings = ['bravoCharlieDelta', 'exchange.bind_headers(exchange, routing [, bindCallback])', 'Привет non-latin 你好', 'echo', 'echo', 'echo 1', 'echo-1', 'echo', 'a∘ √b'];
    const anchors = outline(headings.map((h) => `## ${h}`).join('\n\n')).anchors;
    expect([...anchors]).toEqual(['bravocharliedelta', 'exchangebind_headersexchange-routing--bindcallback', 'привет-non-latin-你好', 'echo', 'echo-1', 'echo-1-1', 'echo-1-2', 'echo-2', 'a-b']);
  });

  it('reads the heading text as the page shows it: code spans kept, emphasis and links unwrapped, tags left out', () => {
    const anchors = outline('# APIv2 image upload (`v2/secapi/mch/uploadmedia`)\n\n## 基础支付∙服务商模式\n\nSetext *Title* [linked](x.md)\n---\n\n### <small>401</small> SIGN_ERROR checklist\n').anchors;
    expect([...anchors]).toEqual(['apiv2-image-upload-v2secapimchuploadmedia', '基础支付服务商模式', 'setext-title-linked', '401-sign_error-checklist']);
  });

  it('lists links and images with their line, reference-style ones resolved', () => {
    const { links } = outline('# T\n\nSee [a](a.md) and\n[b][ref], ![chart](c.svg).\n\n| x | [d](d.md#h) |\n|---|---|\n\n[ref]: b.md#top\n');
    expect(links).toEqual([
      { url: 'a.md', line: 3, image: false },
      { url: 'b.md#top', line: 4, image: false },
      { url: 'c.svg', line: 4, image: true },
      { url: 'd.md#h', line: 6, image: false },
    ]);
  });
});

describe('LinkChecker, on a miniature repository', () => {
  const texts: Record<string, string> = {
    'README.md': '# Guide\n\n## Retries\n\n## Retries\n',
    'LICENSE': 'MIT\n',
    'docs/a.md': '# A\n\n## 基础支付∙服务商模式\n',
    'docs/chart.svg': '<svg/>\n',
    'lib/x.ts': 'one\ntwo\nthree\n',
  };
  const repo: Repository = { files: new Set(Object.keys(texts)), read: (path) => texts[path]!, url: 'https://github.com/o/r', branch: 'main' };
  const check = (markdown: string, packaged?: ReadonlySet<string>): Array<Pick<Problem, 'url' | 'kind'>> => {
    const checker = new LinkChecker({ ...repo, files: new Set([...repo.files, 'docs/new.md']), read: (path) => (path === 'docs/new.md' ? markdown : repo.read(path)) });
    return checker.check('docs/new.md', packaged ? { packaged } : {}).map(({ url, kind }) => ({ url, kind }));
  };

  it('accepts files, folders, headings (duplicates suffixed), line anchors and encoded anchors', () => {
    const ok = ['a.md', './a.md#a', '../README.md#retries', '../README.md#retries-1', '/README.md#guide', '../lib', '../lib/', '../lib/x.ts#L2', '../lib/x.ts#L1-L3', '#heading', 'a.md#基础支付服务商模式', `a.md#${encodeURIComponent('基础支付服务商模式')}`];
    expect(check(`# Heading\n\n${ok.map((url) => `- [x](${url})`).join('\n')}\n`)).toEqual([]);
  });

  it('refuses a missing file, a missing anchor, an anchor GitHub does not make, and a path above the root', () => {
    const bad = {
      '../SECURITY.md': 'missing file',
      '../README.md#retries-2': 'missing anchor',
      '../README.md#Retries': 'missing anchor',
      'a.md#基础支付∙服务商模式': 'missing anchor',
      [`a.md#${encodeURIComponent('基础支付∙服务商模式')}`]: 'missing anchor',
      '#nowhere': 'missing anchor',
      '../lib#x': 'missing anchor',
      '../lib/x.ts#L5': 'missing anchor',
      '../lib/x.ts#top': 'missing anchor',
      '../../outside.md': 'missing file',
      'a.md#%E0%A4%A': 'malformed',
    };
    expect(check(Object.keys(bad).map((url) => `[x](${url})`).join('\n\n'))).toEqual(Object.entries(bad).map(([url, kind]) => ({ url, kind })));
  });

  it('checks absolute links into the repository (blob, tree, raw; the branch; images by raw) and leaves other sites alone', () => {
    const links = {
      'https://github.com/o/r/blob/main/docs/a.md#a': undefined,
      'https://github.com/o/r/tree/main/docs': undefined,
      'https://github.com/o/r/blob/main/docs': undefined,
      'https://github.com/o/r/blob/main/lib/x.ts#L3': undefined,
      'https://github.com/o/r#readme': undefined,
      'https://github.com/o/r/issues': undefined,
      'https://github.com/other/r/blob/main/nothing.md': undefined,
      'https://example.com/o/r/blob/main/nothing.md': undefined,
      'https://github.com/o/r/blob/main/docs/b.md': 'missing file',
      'https://github.com/o/r/blob/main/README.md#nowhere': 'missing anchor',
      'https://github.com/o/r/blob/master/README.md': 'repository link',
      'https://github.com/o/r/raw/main/docs': 'repository link',
    };
    const expected = Object.entries(links).flatMap(([url, kind]) => (kind ? [{ url, kind }] : []));
    expect(check(Object.keys(links).map((url) => `[x](${url})`).join('\n\n'))).toEqual(expected);
    const images = { 'https://raw.githubusercontent.com/o/r/main/docs/chart.svg': undefined, 'https://github.com/o/r/raw/main/docs/chart.svg': undefined, 'https://github.com/o/r/blob/main/docs/chart.svg': 'repository link', 'https://raw.githubusercontent.com/o/r/main/docs/none.svg': 'missing file' };
    expect(check(Object.keys(images).map((url) => `![x](${url})`).join('\n\n'))).toEqual(Object.entries(images).flatMap(([url, kind]) => (kind ? [{ url, kind }] : [])));
  });

  it('with the tarball given, refuses a relative link to a file it does not carry', () => {
    expect(check('[l](../LICENSE) [a](a.md) [h](#a) [r](https://github.com/o/r/blob/main/docs/a.md)\n\n# A\n', new Set(['LICENSE', 'README.md']))).toEqual([{ url: 'a.md', kind: 'outside the package' }]);
  });
});

/** Files of the repository as GitHub will have them: tracked, or new and not ignored (ignored files never reach GitHub). */
function repositoryFiles(): Set<string> {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return new Set(out.split('\0').filter((file) => file && existsSync(join(root, file))));
}

/** The files of the npm tarball, as `npm pack` lists them (scripts skipped: no build needed to list README.md, LICENSE…). */
function packagedFiles(): Set<string> {
  const candidates = [process.env.npm_execpath, join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js')];
  const cli = candidates.find((path) => path !== undefined && /npm-cli\.js$/.test(path) && existsSync(path));
  const args = ['pack', '--dry-run', '--json', '--ignore-scripts'];
  const env = { ...process.env, npm_config_offline: 'true', npm_config_update_notifier: 'false', npm_config_loglevel: 'error' };
  const out = cli ? execFileSync(process.execPath, [cli, ...args], { cwd: root, env, encoding: 'utf8', timeout: 60_000 }) : execFileSync('npm', args, { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
  const [packed] = JSON.parse(out) as Array<{ files: Array<{ path: string }> }>;
  return new Set(packed!.files.map((file) => file.path));
}

/** `file:line url — detail`: one line a reader can jump to. */
function describeProblem(p: Problem): string {
  return `${p.file}:${p.line} ${p.url} — ${p.kind}: ${p.detail}`;
}

describe("the repository's Markdown", () => {
  let files: Set<string>;
  let sources: string[];
  let checker: LinkChecker;
  let problems: Problem[];
  let packaged: Set<string>;

  beforeAll(() => {
    files = repositoryFiles();
    packaged = packagedFiles();
    checker = new LinkChecker({ files, read: (path) => readFileSync(join(root, path), 'utf8'), url: REPOSITORY, branch: BRANCH });
    // every Markdown file of ours: README.md, docs/** (hand-written and generated), CHANGELOG.md, SECURITY.md… (vendor/ is the catalog's own)
    sources = [...files].filter((file) => /\.md$/i.test(file) && !file.startsWith('vendor/')).sort();
    problems = sources.flatMap((file) => checker.check(file, file === 'README.md' ? { packaged } : {}));
  }, 60_000);

  it('are all read: README.md, every guide and every generated docs/api page', () => {
    expect(sources).toEqual(expect.arrayContaining(['README.md', 'docs/README.md', 'docs/architecture.md', 'docs/guides/reliability.md', 'docs/api/README.md', 'CHANGELOG.md', 'SECURITY.md']));
    expect(sources.filter((file) => file.startsWith('docs/api/')).length).toBeGreaterThan(1000);
    expect(checker.outlineOf('docs/api/README.md').links.length).toBeGreaterThan(1000);
  });

  it('have no relative link to a missing file or anchor', () => {
    const relative = problems.filter((p) => !/^[a-z][a-z\d+.-]*:/i.test(p.url) && p.kind !== 'outside the package');
    expect(relative.map(describeProblem)).toEqual([]);
  });

  it(`have no absolute link into ${REPOSITORY} to a missing file or anchor`, () => {
    // README.md links the guides this way (below), so the rule is exercised
    expect(checker.outlineOf('README.md').links.filter((link) => link.url.startsWith(`${REPOSITORY}/blob/${BRANCH}/docs/guides/`)).length).toBeGreaterThan(5);
    const absolute = problems.filter((p) => /^[a-z][a-z\d+.-]*:/i.test(p.url));
    expect(absolute.map(describeProblem)).toEqual([]);
  });

  it('README.md links what the npm tarball does not carry absolutely, so the package page has no dead link', () => {
    expect(packaged).toContain('README.md');
    expect(problems.filter((p) => p.kind === 'outside the package').map(describeProblem)).toEqual([]);
  });
});
