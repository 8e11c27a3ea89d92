/**
 * The links and anchors of Markdown files, resolved the way the repository host (GitHub) resolves
 * them: a heading's anchor is `github-slugger` over the heading's text (the library reproduces
 * GitHub's rule, duplicate suffixes `-1`, `-2` included; its test/fixtures.json was made by rendering
 * headings on GitHub), the Markdown is parsed by markdown-it (CommonMark, with GFM tables and bare
 * URLs as GitHub renders them), relative paths resolve against the linking file, `/…` against the repository root.
 * Raw HTML ids (`<a id>`) are not anchors here: GitHub and npm each rewrite them their own way, so
 * the docs link to headings only.
 * @module
 */
import { posix } from 'node:path';
import GithubSlugger from 'github-slugger';
import MarkdownIt from 'markdown-it';

// CommonMark with GFM tables and strikethrough (markdown-it's default preset); raw HTML and bare URLs as on GitHub
const parser = new MarkdownIt({ html: true, linkify: true });
// links as written (escapes and entities resolved), not percent-encoded again: problems name what the file says
parser.normalizeLink = (url) => url;

/** One link or image of a Markdown file (reference-style ones resolved by the parser). */
export interface Link {
  url: string;
  line: number;
  image: boolean;
}

/** What a Markdown file offers (its heading anchors, in GitHub's spelling) and what it links to. */
export interface Outline {
  anchors: ReadonlySet<string>;
  links: readonly Link[];
}

/**
 * Parses one Markdown file: the anchors of its headings and its links.
 * @example
 * ```ts
 * outline('# A\n\n# A\n\n[b](#a-1)').anchors; // Set { 'a', 'a-1' }
 * ```
 */
export function outline(markdown: string): Outline {
  const tokens = parser.parse(markdown, {});
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  const links: Link[] = [];
  let block = 0; // the first line of the innermost block seen (table cells have no line of their own)
  tokens.forEach((token, i) => {
    if (token.map) block = token.map[0];
    if (token.type !== 'inline') return;
    const children = token.children ?? [];
    // the heading's text as the rendered page has it (its textContent): code spans keep their text, tags and images add none
    if (tokens[i - 1]?.type === 'heading_open') anchors.add(slugger.slug(children.map((child) => (child.type === 'text' || child.type === 'code_inline' ? child.content : child.type === 'softbreak' ? '\n' : '')).join('')));
    let line = block + 1;
    for (const child of children) {
      if (child.type === 'softbreak' || child.type === 'hardbreak') line++;
      const url = child.type === 'link_open' ? child.attrGet('href') : child.type === 'image' ? child.attrGet('src') : null;
      if (url !== null) links.push({ url: String(url), line, image: child.type === 'image' });
    }
  });
  return { anchors, links };
}

/** Why a link does not resolve. */
export type ProblemKind =
  | 'missing file' // the path names no file or folder of the repository
  | 'missing anchor' // the file has no heading (or line) of that anchor
  | 'repository link' // an absolute link into the repository naming another branch, an image through `blob`, a folder through `raw`
  | 'outside the package' // README.md: a relative link to a file the npm tarball does not carry (dead on the package page)
  | 'malformed'; // not valid percent-encoding

export interface Problem {
  file: string;
  line: number;
  url: string;
  kind: ProblemKind;
  detail: string;
}

/** The repository the links are checked against. */
export interface Repository {
  /** Every file of the repository (paths relative to its root, `/`-separated). */
  files: ReadonlySet<string>;
  /** A file's text. */
  read(path: string): string;
  /** `https://github.com/<owner>/<name>`, as package.json's `repository` names it. */
  url: string;
  /** The branch absolute links name. */
  branch: string;
}

export interface CheckOptions {
  /**
   * Files the npm tarball carries: given, the file's relative links must point at one of them
   * (the package page renders README.md from the tarball), every other file is linked absolutely.
   */
  packaged?: ReadonlySet<string>;
}

/** Resolves links against a repository, each target file parsed once. */
export class LinkChecker {
  readonly #repo: Repository;
  readonly #outlines = new Map<string, Outline>();
  readonly #folders = new Set<string>();
  readonly #lines = new Map<string, number>();

  constructor(repo: Repository) {
    this.#repo = repo;
    for (const file of repo.files) for (let dir = posix.dirname(file); dir !== '.' && !this.#folders.has(dir); dir = posix.dirname(dir)) this.#folders.add(dir);
  }

  /** The outline of a repository file (parsed once). */
  outlineOf(file: string): Outline {
    let found = this.#outlines.get(file);
    if (!found) this.#outlines.set(file, (found = outline(this.#repo.read(file))));
    return found;
  }

  /**
   * Every problem of one Markdown file's links.
   * @example
   * ```ts
   * new LinkChecker(repo).check('docs/guides/reliability.md'); // [{ kind: 'missing anchor', url: '#retries', … }]
   * ```
   */
  check(file: string, options: CheckOptions = {}): Problem[] {
    const problems: Problem[] = [];
    for (const link of this.outlineOf(file).links) {
      const problem = this.#checkLink(file, link, options);
      if (problem) problems.push({ file, line: link.line, url: link.url, ...problem });
    }
    return problems;
  }

  #checkLink(file: string, link: Link, options: CheckOptions): Pick<Problem, 'kind' | 'detail'> | undefined {
    const { url } = link;
    if (url.startsWith('#')) return this.#checkTarget(file, url.slice(1));
    if (/^[a-z][a-z\d+.-]*:|^\/\//i.test(url)) return this.#checkAbsolute(link);
    const [pathPart = '', fragment] = splitFragment(url);
    const path = decode(pathPart.replace(/\?.*$/, ''));
    if (path === undefined) return { kind: 'malformed', detail: 'not valid percent-encoding' };
    const target = posix.normalize(path.startsWith('/') ? path.slice(1) : posix.join(posix.dirname(file), path)).replace(/\/$/, '');
    if (target === '..' || target.startsWith('../')) return { kind: 'missing file', detail: `${target} is outside the repository` };
    if (options.packaged && !options.packaged.has(target)) {
      return { kind: 'outside the package', detail: `${target} is not in the npm tarball: link it as ${this.#repo.url}/${this.#folders.has(target) ? 'tree' : 'blob'}/${this.#repo.branch}/${target}` };
    }
    return this.#checkTarget(target === '.' ? '' : target, fragment);
  }

  #checkAbsolute(link: Link): Pick<Problem, 'kind' | 'detail'> | undefined {
    let url: URL;
    try {
      url = new URL(link.url);
    } catch {
      return { kind: 'malformed', detail: 'not a valid URL' };
    }
    const repo = new URL(this.#repo.url);
    const [, owner, name] = repo.pathname.split('/');
    const parts = url.pathname.split('/').slice(1);
    const fragment = url.hash ? url.hash.slice(1) : undefined;
    let kind: string;
    let branch: string | undefined;
    let rest: string[];
    if (url.hostname === 'raw.githubusercontent.com') {
      if (parts[0] !== owner || parts[1] !== name) return undefined;
      [kind, branch, ...rest] = ['raw', ...parts.slice(2)];
    } else if (url.hostname === repo.hostname && parts[0] === owner && parts[1] === name) {
      // the repository's own pages (`#readme`, issues, releases…) are the host's, not files
      if (!['blob', 'tree', 'raw'].includes(parts[2] ?? '')) return undefined;
      [kind = '', branch, ...rest] = parts.slice(2);
    } else {
      return undefined; // another site: not checked (no test reaches the internet)
    }
    if (branch !== this.#repo.branch) return { kind: 'repository link', detail: `names the branch ${branch ?? '(none)'}, not ${this.#repo.branch}` };
    if (link.image && kind === 'blob') return { kind: 'repository link', detail: 'an image through /blob/ is an HTML page: use /raw/ or raw.githubusercontent.com' };
    const path = decode(rest.join('/').replace(/\/$/, ''));
    if (path === undefined) return { kind: 'malformed', detail: 'not valid percent-encoding' };
    // GitHub redirects /blob/ to /tree/ for a folder and back for a file; raw has files only
    if (kind === 'raw' && !this.#repo.files.has(path) && this.#folders.has(path)) return { kind: 'repository link', detail: `${path} is a folder: raw serves files only` };
    return this.#checkTarget(path, fragment);
  }

  /** `path` ('' for the root) must be a file or folder; `fragment`, a heading of that Markdown file or a line of another. */
  #checkTarget(path: string, rawFragment: string | undefined): Pick<Problem, 'kind' | 'detail'> | undefined {
    const isFile = this.#repo.files.has(path);
    if (!isFile && path !== '' && !this.#folders.has(path)) return { kind: 'missing file', detail: `${path} is not a file of the repository` };
    if (rawFragment === undefined) return undefined;
    const fragment = decode(rawFragment);
    if (fragment === undefined) return { kind: 'malformed', detail: 'not valid percent-encoding' };
    if (!isFile) return { kind: 'missing anchor', detail: `${path || 'the repository root'} is a folder: no anchor #${fragment}` };
    if (/\.(md|markdown)$/i.test(path)) {
      if (this.outlineOf(path).anchors.has(fragment)) return undefined;
      return { kind: 'missing anchor', detail: `${path} has no heading with the anchor #${fragment}` };
    }
    const lines = /^L(\d+)(?:-L(\d+))?$/.exec(fragment);
    if (lines && Number(lines[1]) >= 1 && Number(lines[2] ?? lines[1]) <= this.#lineCount(path)) return undefined;
    return { kind: 'missing anchor', detail: `${path} is not Markdown: only line anchors (#L12, #L12-L20) within it resolve, not #${fragment}` };
  }

  #lineCount(path: string): number {
    let count = this.#lines.get(path);
    if (count === undefined) this.#lines.set(path, (count = this.#repo.read(path).split('\n').length));
    return count;
  }
}

function splitFragment(url: string): [string, string | undefined] {
  const hash = url.indexOf('#');
  return hash === -1 ? [url, undefined] : [url.slice(0, hash), url.slice(hash + 1)];
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
