/**
 * `wxpay <endpoint> --help`: what a merchant needs to call one catalog endpoint (methods, path
 * variables, query and body fields, an example command line, the host when it is not the default,
 * whether the merchant certificate is needed), read from the help data `npm run generate` writes
 * (scripts/openapi/emit-help.ts): `lib/cli/help`, shipped as `dist/cli/help`. `index.json` lists
 * the catalog's files, one JSON file per business area (`v3-pay.json`) holds their entries; a
 * help reads those two files, and only when help for an endpoint is asked, so neither the library
 * nor a plain `wxpay` call loads any catalog data.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalizeLiteral, normalizeProperty } from '../chain/segments.js';

/**
 * The help data: `lib/cli/help` from source, `dist/cli/help` installed. `../cli/` names that
 * folder from `lib/cli`, `dist/cli` and the bundle's `dist/chunks` alike (scripts/build.ts keeps
 * chunks beside `dist/cli` and copies the data there).
 */
export const HELP_DATA_DIR = fileURLToPath(new URL('../cli/help/', import.meta.url));

/** The generated docs pages of a checkout (not in the npm package). */
export const DOCS_API_DIR = fileURLToPath(new URL('../../docs/api/', import.meta.url));

/** The package's package.json, two levels up from `lib/cli`, `dist/cli` and `dist/chunks`. */
const PACKAGE_JSON = fileURLToPath(new URL('../../package.json', import.meta.url));

/**
 * One request field, as the help data stores it.
 * @example
 * ```ts
 * const row: HelpField = { name: 'sub_mchid', type: 'string', required: true, description: '二级商户号' };
 * ```
 */
export interface HelpField {
  /** Path of the field inside its group (`amount.total`, `goods[].name`). */
  name: string;
  type: string;
  required: boolean;
  /** One line, at most 200 characters. */
  description: string;
  /** Allowed values, when the catalog lists them. */
  enum?: string[];
}

/**
 * One method of a catalog endpoint. Members that are empty or false are left out of the files.
 * @example
 * ```ts
 * const get = entry.operations.find((op) => op.method === 'get');
 * ```
 */
export interface HelpOperation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  summary: string;
  /** Official documentation. */
  links?: string[];
  deprecated?: boolean;
  /** Needs the merchant API certificate (APIv2 over mutual TLS). */
  certRequired?: boolean;
  /** A multipart/form-data upload. */
  multipart?: boolean;
  path?: HelpField[];
  query?: HelpField[];
  headers?: HelpField[];
  /** JSON (APIv3) or XML (APIv2) payload fields; absent when the method takes no payload. */
  body?: { required: boolean; fields: HelpField[] };
  /** The options of an example call (`{ refund_id, query, json }`); absent for uploads. */
  example?: Record<string, unknown>;
}

/**
 * One catalog endpoint (a catalog file: one path, its methods).
 * @example
 * ```ts
 * const entry = readEndpoint('v3/pay/transactions/native');
 * entry.template; // 'v3/pay/transactions/native'
 * ```
 */
export interface HelpEntry {
  template: string;
  title: string;
  protocol: 'v2' | 'v3';
  /** The origin serving it, when it is not the default host. */
  host?: string;
  operations: HelpOperation[];
}

/**
 * `index.json` of the help data: every catalog file (`v3/applyment4sub/applyment/{empty}` for
 * the template `v3/applyment4sub/applyment/`), in catalog order.
 * @example
 * ```ts
 * const { files }: HelpIndex = JSON.parse(readFileSync(join(HELP_DATA_DIR, 'index.json'), 'utf8'));
 * ```
 */
export interface HelpIndex {
  files: string[];
}

/**
 * The help data file holding a catalog file's entry: one per business area, the first two
 * segments of the path.
 * @example
 * ```ts
 * helpAreaFile('v3/pay/transactions/native'); // 'v3-pay.json'
 * ```
 */
export function helpAreaFile(file: string): string {
  return `${file.split('/').slice(0, 2).join('-')}.json`;
}

const indexes = new Map<string, readonly string[] | undefined>();

/** The catalog's files, from index.json (read once per data folder); `undefined` when there is none. */
function filesOf(root: string): readonly string[] | undefined {
  if (indexes.has(root)) return indexes.get(root);
  const index = join(root, 'index.json');
  const files = existsSync(index) ? (JSON.parse(readFileSync(index, 'utf8')) as HelpIndex).files : undefined;
  indexes.set(root, files);
  return files;
}

/**
 * The names right under a folder (`prefix` is '' or ends with '/'): its files, or its
 * subfolders. A scan of the flat list: cheaper, for one lookup, than building a tree.
 */
function namesUnder(files: readonly string[], prefix: string, kind: 'files' | 'folders'): string[] {
  const names = new Set<string>();
  for (const file of files) {
    if (!file.startsWith(prefix)) continue;
    const slash = file.indexOf('/', prefix.length);
    if (kind === 'files' && slash === -1) names.add(file.slice(prefix.length));
    else if (kind === 'folders' && slash !== -1) names.add(file.slice(prefix.length, slash));
  }
  return [...names];
}

/** Turns an endpoint as typed on the command line (a chain or a path) into template segments. */
function segmentsOf(endpoint: string): string[] {
  if (endpoint.includes('/')) return normalizeLiteral(endpoint).split('/');
  return endpoint.split('.').map((segment) => normalizeProperty(segment));
}

/**
 * Finds the catalog file of an endpoint: literal segments first, then any `{variable}` entry, so
 * a template with other variable names or a path with concrete values finds its entry too.
 * @example
 * ```ts
 * findEndpoint('v3.ecommerce.refunds._refund_id_.returnAdvance'); // 'v3/ecommerce/refunds/{refund_id}/return-advance'
 * findEndpoint('v3/pay/transactions/id/4200000001'); // 'v3/pay/transactions/id/{transaction_id}'
 * findEndpoint('v3/applyment4sub/applyment/'); // 'v3/applyment4sub/applyment/{empty}'
 * ```
 */
export function findEndpoint(endpoint: string, root = HELP_DATA_DIR): string | undefined {
  const files = filesOf(root);
  const segments = segmentsOf(endpoint.trim());
  if (!files || segments.length === 0 || segments.some((s, i) => s === '' && i < segments.length - 1) || segments.includes('..') || segments.includes('.')) return undefined;
  if (segments.at(-1) === '') segments[segments.length - 1] = '{empty}';
  // a literal match is what the search below prefers at every level
  const literal = segments.join('/');
  if (files.includes(literal)) return literal;
  // else the file that matches segment by segment, a literal segment before a {variable}, variables
  // in name order (the last one as `{name}.md`, the order a listing of the pages shows)
  const variable = (name: string) => name.startsWith('{') && name.endsWith('}');
  const key = (parts: readonly string[], i: number) => (i === parts.length - 1 ? `${parts[i]}.md` : (parts[i] as string));
  const before = (a: readonly string[], b: readonly string[]) => {
    const i = a.findIndex((part, at) => part !== b[at]);
    if (a[i] === segments[i] || b[i] === segments[i]) return a[i] === segments[i];
    return key(a, i) < key(b, i);
  };
  let best: string[] | undefined;
  for (const file of files) {
    const parts = file.split('/');
    if (parts.length !== segments.length || !parts.every((part, i) => part === segments[i] || variable(part))) continue;
    if (best === undefined || before(parts, best)) best = parts;
  }
  return best?.join('/');
}

/**
 * Reads the entry of a catalog file (as {@link findEndpoint} returns it). The area files hold one
 * entry a line (`"v3/pay/transactions/native":{…},`), so only that line is parsed: the largest
 * area is 220 kB of JSON, one entry a few kB.
 * @throws {RangeError} when the help data has no such file
 * @example
 * ```ts
 * readEndpoint('v2/pay/micropay').operations[0]?.body?.fields.map((f) => f.name); // ['appid', 'mch_id', …]
 * ```
 */
export function readEndpoint(file: string, root = HELP_DATA_DIR): HelpEntry {
  const path = join(root, helpAreaFile(file));
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const key = `\n${JSON.stringify(file)}:`;
  const start = text.indexOf(key);
  if (start === -1) throw new RangeError(`${file} is not in the help data (${path})`);
  // JSON text holds no raw line break inside a value, so the entry ends at the end of its line
  const end = text.indexOf('\n', start + key.length);
  return JSON.parse(text.slice(start + key.length, end === -1 ? undefined : end).replace(/,$/, '')) as HelpEntry;
}

/**
 * Where a merchant reads the response fields and code examples of an endpoint: the docs page of
 * a checkout, or else the page in the repository that package.json names (a relative path when it
 * names none the help can link to).
 * @example
 * ```ts
 * docsPageOf('v3/pay/transactions/native'); // '/…/docs/api/v3/pay/transactions/native.md' in a checkout
 * ```
 */
export function docsPageOf(file: string, docs = DOCS_API_DIR, packageJson = PACKAGE_JSON): string {
  const local = join(docs, `${file}.md`);
  if (existsSync(local)) return local;
  const repository = repositoryOf(packageJson);
  return repository ? `${repository}/blob/HEAD/docs/api/${encodeURI(file)}.md` : `docs/api/${file}.md in the wechatpay-chain repository`;
}

/** The GitHub repository package.json names (`github:owner/name`, `owner/name`, a git+https URL), as an https URL. */
function repositoryOf(packageJson: string): string | undefined {
  let repository: unknown;
  try {
    repository = (JSON.parse(readFileSync(packageJson, 'utf8')) as { repository?: unknown }).repository;
  } catch {
    return undefined;
  }
  const url = typeof repository === 'string' ? repository : repository !== null && typeof repository === 'object' ? (repository as { url?: unknown }).url : undefined;
  if (typeof url !== 'string') return undefined;
  const match = /^(?:github:|(?:git\+)?https:\/\/github\.com\/|git\+ssh:\/\/git@github\.com\/|git@github\.com:)?([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/.exec(url.trim());
  return match ? `https://github.com/${match[1]}/${match[2]}` : undefined;
}

function shellQuote(text: string): string {
  return /^[\w./{}:=@%+,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

function oneLine(text: string, max = 72): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function table(fields: readonly HelpField[], indent: string): string[] {
  const width = Math.min(32, Math.max(...fields.map((f) => f.name.length)));
  const typeWidth = Math.max(...fields.map((f) => f.type.length));
  return fields.map((f) => {
    const enums = f.enum ? ` [${f.enum.join(', ')}]` : '';
    return `${indent}${f.name.padEnd(width)}  ${f.type.padEnd(typeWidth)}  ${f.required ? 'required' : 'optional'}  ${oneLine(f.description + enums)}`.trimEnd();
  });
}

/** The command line that makes the entry's example call. */
function exampleCommand(entry: HelpEntry, op: HelpOperation): string {
  const example = op.example ?? {};
  const words = ['wxpay', shellQuote(entry.template)];
  for (const variable of op.path ?? []) {
    const value = example[variable.name];
    words.push(shellQuote(`--${variable.name}=${typeof value === 'string' || typeof value === 'number' ? String(value) : variable.name.toUpperCase()}`));
  }
  if (example.query !== undefined) words.push('--query', shellQuote(JSON.stringify(example.query)));
  const payload = entry.protocol === 'v2' ? 'xml' : 'json';
  const body = example[payload];
  if (body !== undefined) words.push(`--${payload}`, shellQuote(JSON.stringify(body)));
  const implied = body === undefined ? 'get' : 'post';
  if (op.method !== implied) words.push('-X', op.method);
  return words.join(' ');
}

/**
 * Renders the help text of one catalog endpoint.
 * @example
 * ```ts
 * process.stdout.write(renderEndpointHelp(readEndpoint('v3/pay/transactions/native'), docsPageOf('v3/pay/transactions/native')));
 * ```
 */
export function renderEndpointHelp(entry: HelpEntry, source?: string): string {
  const payload = entry.protocol === 'v2' ? 'xml' : 'json';
  const out = [
    `Usage: wxpay ${entry.template} [options]${entry.operations.some((op) => op.path?.length) ? ' --name=value …' : ''}`,
    '',
    entry.title,
    `${entry.protocol === 'v2' ? 'APIv2 (XML)' : 'APIv3 (JSON)'} · ${entry.operations.map((op) => op.method.toUpperCase()).join(', ')}`,
  ];
  if (entry.host !== undefined) {
    out.push(`Host: ${entry.host}/ (not the default host; the client sends it there, --baseURL does not move it: map it with "hosts" in the --config file or WECHATPAY_HOSTS)`);
  }
  for (const op of entry.operations) {
    const { path = [], query = [], headers = [], body } = op;
    out.push('', `${op.method.toUpperCase()} — ${op.summary}${op.deprecated ? ' (deprecated in the catalog)' : ''}`);
    if (path.length) out.push('  Path variables (--name=value):', ...table(path, '    '));
    if (query.length) out.push(`  Query (--query '{…}'):`, ...table(query, '    '));
    if (headers.length) out.push(`  Headers (--header 'Name: value'):`, ...table(headers, '    '));
    if (headers.some((h) => h.name.toLowerCase() === 'wechatpay-serial')) out.push('    (--encrypt <field…> encrypts sensitive fields and sets Wechatpay-Serial to match)');
    if (body) {
      const label = payload === 'xml' ? `XML fields (--xml '{…}', a JSON object; nonce_str and sign are added)` : `JSON body (--json '{…}' or --json @file.json)`;
      out.push(`  ${label}${body.required ? ', required' : ''}:`);
      out.push(...(body.fields.length ? table(body.fields, '    ') : ['    (the catalog does not list the fields)']));
    }
    if (!path.length && !query.length && !headers.length && !body && !op.multipart) out.push('  No parameters.');
    if (op.multipart) out.push('  A multipart file upload: wxpay cannot send it; use MediaUtil in code (docs/guides/media.md).');
    if (op.certRequired) out.push(`  Needs the merchant API certificate (sent over mutual TLS): the --config file must hold "merchant": { "cert": "file:///…/apiclient_cert.pem", "key": "file:///…/apiclient_key.pem" }.`);
    if (!op.multipart) out.push('  Example:', `    ${exampleCommand(entry, op)}`);
    if (op.links?.length) out.push(`  Documentation: ${op.links.join(' ')}`);
  }
  out.push('', `Client options (--config, --mchid, --baseURL, …): wxpay request --help`);
  if (source) out.push(`Response fields and code examples: ${source}`);
  return `${out.join('\n')}\n`;
}

/**
 * The help text for `wxpay <endpoint> --help`: the endpoint's entry rendered, or, for a path not
 * in the catalog, a note saying so (it can still be called) with the catalog paths nearby.
 * @example
 * ```ts
 * process.stdout.write(endpointHelp('v3/ecommerce/refunds/{refund_id}/return-advance'));
 * ```
 */
export function endpointHelp(endpoint: string, root = HELP_DATA_DIR): string {
  const file = findEndpoint(endpoint, root);
  if (file !== undefined) return renderEndpointHelp(readEndpoint(file, root), docsPageOf(file));
  const files = filesOf(root);
  const lines = [
    `${endpoint} is not in the endpoint catalog${files ? '' : ` (no catalog help data at ${root})`}.`,
    'It can still be called, as the chain can call any path:',
    `  wxpay ${shellQuote(endpoint)} [--json '{…}' | --xml '{…}'] [--query '{…}'] [-X get|post|put|patch|delete] [--name=value …]`,
  ];
  // the catalog paths under the longest known prefix, as a hint for a typo
  let prefix = '';
  for (const segment of segmentsOf(endpoint.trim()).filter((s) => s !== '' && s !== '.' && s !== '..')) {
    const folder = `${prefix}${segment}/`;
    if (!files?.some((file) => file.startsWith(folder))) break;
    prefix = folder;
  }
  if (files && prefix !== '') {
    // as a listing of the pages' folder shows them: `x.md` files and `x` folders, in name order
    const names = [...namesUnder(files, prefix, 'folders'), ...namesUnder(files, prefix, 'files').map((name) => `${name}.md`)].sort();
    const near = [...new Set(names.map((name) => `${prefix}${name.replace(/\.md$/, '')}`))];
    lines.push('', `Catalog paths under ${prefix}:`, ...near.slice(0, 20).map((p) => `  ${p}`));
    if (near.length > 20) lines.push(`  … and ${near.length - 20} more (docs/api/README.md)`);
  }
  lines.push('', 'Options: wxpay request --help');
  return `${lines.join('\n')}\n`;
}
