/**
 * `wxpay <endpoint> --help`: what a merchant needs to call one catalog endpoint (methods, path
 * variables, query and body fields, an example command line), read from the generated
 * `docs/api/<template>.md` page shipped in the package. The page is read only when help for an
 * endpoint is asked, so neither the library nor a plain `wxpay` call loads any catalog data.
 * @module
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalizeLiteral, normalizeProperty } from '../chain/segments.js';

/**
 * `docs/api` of the package: two levels up from `lib/cli` (source) or from the bundle's
 * `dist/cli` and `dist/chunks` (installed; scripts/build.ts keeps chunks at that depth).
 */
export const DOCS_API_DIR = fileURLToPath(new URL('../../docs/api/', import.meta.url));

/**
 * One row of a page's request table.
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
  description: string;
  /** Allowed values, when the catalog lists them. */
  enum?: string[];
}

/**
 * One method of a catalog endpoint, as its page describes it.
 * @example
 * ```ts
 * const get = page.operations.find((op) => op.method === 'get');
 * ```
 */
export interface HelpOperation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  summary: string;
  links: string[];
  deprecated: boolean;
  /** Needs the merchant API certificate (APIv2 over mutual TLS). */
  certRequired: boolean;
  /** A multipart/form-data upload. */
  multipart: boolean;
  path: HelpField[];
  query: HelpField[];
  headers: HelpField[];
  /** JSON (APIv3) or XML (APIv2) payload fields; `undefined` when the method takes no payload. */
  body: { required: boolean; fields: HelpField[] } | undefined;
  /** The options of the page's example call (`{ refund_id, query, json }`), when it could be read. */
  example: Record<string, unknown> | undefined;
}

/**
 * A catalog endpoint page, parsed.
 * @example
 * ```ts
 * const page = parseEndpointPage(readFileSync('docs/api/v3/pay/transactions/native.md', 'utf8'));
 * page.template; // 'v3/pay/transactions/native'
 * ```
 */
export interface HelpPage {
  template: string;
  title: string;
  protocol: 'v2' | 'v3';
  operations: HelpOperation[];
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

/** Turns an endpoint as typed on the command line (a chain or a path) into template segments. */
function segmentsOf(endpoint: string): string[] {
  if (endpoint.includes('/')) return normalizeLiteral(endpoint).split('/');
  return endpoint.split('.').map((segment) => normalizeProperty(segment));
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/**
 * Finds the page of an endpoint: literal segments first, then any `{variable}` entry, so a
 * template with other variable names or a path with concrete values finds its page too.
 * @example
 * ```ts
 * findEndpointPage('v3.ecommerce.refunds._refund_id_.returnAdvance');
 * // '/…/docs/api/v3/ecommerce/refunds/{refund_id}/return-advance.md'
 * findEndpointPage('v3/pay/transactions/id/4200000001'); // '/…/docs/api/v3/pay/transactions/id/{transaction_id}.md'
 * ```
 */
export function findEndpointPage(endpoint: string, root = DOCS_API_DIR): string | undefined {
  const segments = segmentsOf(endpoint.trim());
  if (segments.length === 0 || segments.some((s, i) => s === '' && i < segments.length - 1) || segments.includes('..') || segments.includes('.')) return undefined;
  if (segments.at(-1) === '') segments[segments.length - 1] = '{empty}';
  const walk = (dir: string, at: number): string | undefined => {
    const last = at === segments.length - 1;
    const segment = segments[at] as string;
    const names = entries(dir);
    const wanted = last ? `${segment}.md` : segment;
    const candidates = names.includes(wanted) ? [wanted] : [];
    for (const name of names) if (name.startsWith('{') && (last ? name.endsWith('}.md') : name.endsWith('}')) && name !== wanted) candidates.push(name);
    for (const name of candidates) {
      const path = join(dir, name);
      if (last) return path;
      if (!statSync(path).isDirectory()) continue;
      const found = walk(path, at + 1);
      if (found) return found;
    }
    return undefined;
  };
  return walk(root, 0);
}

function cells(row: string): string[] {
  const out: string[] = [];
  let current = '';
  for (let i = 1; i < row.length; i++) {
    const c = row[i];
    if (c === '\\' && row[i + 1] === '|') {
      current += '|';
      i++;
    } else if (c === '|') {
      out.push(current.trim());
      current = '';
    } else current += c;
  }
  return out;
}

function unescapeCell(text: string): string {
  return text.replace(/&lt;/g, '<');
}

/** Reads the example's object literal (what scripts/openapi/emit-docs.ts writes) as JSON. */
function literalToJson(text: string): unknown {
  let out = '';
  for (let i = 0; i < text.length; ) {
    const c = text[i] as string;
    if (c === "'") {
      let value = '';
      for (i++; i < text.length && text[i] !== "'"; i++) {
        const d = text[i] as string;
        if (d === '\\') {
          const next = text[++i] as string;
          value += next === "'" ? "'" : `\\${next}`;
        } else value += d === '"' ? '\\"' : d;
      }
      if (i >= text.length) throw new SyntaxError('unterminated string');
      out += `"${value}"`;
      i++;
    } else if (c === '"') {
      const end = /^"(?:[^"\\]|\\.)*"/.exec(text.slice(i));
      if (!end) throw new SyntaxError('unterminated string');
      out += end[0];
      i += end[0].length;
    } else if (/[A-Za-z_$]/.test(c)) {
      const word = (/^[\w$]+/.exec(text.slice(i)) as RegExpExecArray)[0];
      i += word.length;
      if (/^\s*:/.test(text.slice(i))) out += JSON.stringify(word);
      else if (word === 'true' || word === 'false' || word === 'null') out += word;
      else throw new SyntaxError(`unexpected ${word}`);
    } else if (c === '}' || c === ']') {
      out = `${out.replace(/,\s*$/, '')}${c}`;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return JSON.parse(out);
}

function exampleOptions(code: string, method: string): Record<string, unknown> | undefined {
  const open = code.indexOf(`.${method}(`);
  const close = code.lastIndexOf(');\nconsole.log');
  if (open === -1 || close === -1) return undefined;
  const args = code.slice(open + method.length + 2, close).trim();
  if (args === '') return {};
  try {
    const value = literalToJson(args);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Parses a generated endpoint page (see scripts/openapi/emit-docs.ts for its layout).
 * @throws {SyntaxError} when the text is not an endpoint page
 * @example
 * ```ts
 * const { template, operations } = parseEndpointPage(text);
 * operations.map((op) => op.method); // ['get', 'post']
 * ```
 */
export function parseEndpointPage(text: string): HelpPage {
  const lines = text.split('\n');
  const title = lines.find((l) => l.startsWith('# '))?.slice(2).trim() ?? '';
  const head = lines.find((l) => /^`[^`]+` · /.test(l));
  if (!head) throw new SyntaxError('not an endpoint page: no "`template` · METHOD" line');
  const template = (/^`([^`]+)`/.exec(head) as RegExpExecArray)[1] as string;
  const page: HelpPage = { template, title, protocol: head.includes('APIv2') ? 'v2' : 'v3', operations: [] };
  let op: HelpOperation | undefined;
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heading = /^## ([A-Z]+) — (.*)$/.exec(line);
    if (heading && METHODS.has((heading[1] as string).toLowerCase())) {
      op = {
        method: (heading[1] as string).toLowerCase() as HelpOperation['method'],
        summary: heading[2] as string,
        links: [],
        deprecated: false,
        certRequired: false,
        multipart: false,
        path: [],
        query: [],
        headers: [],
        body: undefined,
        example: undefined,
      };
      page.operations.push(op);
      section = '';
      continue;
    }
    if (!op) continue;
    if (line.startsWith('### ')) {
      section = line.slice(4);
      continue;
    }
    if (section === '') {
      if (line.startsWith('Official documentation:')) op.links = [...line.matchAll(/\]\((https?:[^)\s]+)\)/g)].map((m) => m[1] as string);
      else if (line.startsWith('> **Deprecated**')) op.deprecated = true;
      else if (line.startsWith('Needs the merchant API certificate')) op.certRequired = true;
      else if (line.startsWith('A `multipart/form-data` upload')) op.multipart = true;
    } else if (section === 'Request' && line.startsWith('| `')) {
      const [nameCell = '', type = '', required = '', description = '', enums = ''] = cells(line);
      const name = unescapeCell((/^`([^`]*)`/.exec(nameCell) as RegExpExecArray)[1] as string);
      const field: HelpField = { name, type, required: required === 'yes', description: unescapeCell(description) };
      const values = [...enums.matchAll(/`([^`]*)`/g)].map((m) => unescapeCell(m[1] as string));
      if (values.length) field.enum = values;
      const payload = page.protocol === 'v2' ? 'xml' : 'json';
      if (nameCell.endsWith('(multipart)')) continue;
      if (name === payload) op.body = { required: field.required, fields: [] };
      else if (name.startsWith(`${payload}.`)) (op.body ??= { required: false, fields: [] }).fields.push({ ...field, name: name.slice(payload.length + 1) });
      else if (name.startsWith('query.')) op.query.push({ ...field, name: name.slice(6) });
      else if (name.startsWith('headers.')) op.headers.push({ ...field, name: name.slice(8) });
      else op.path.push(field);
    } else if (section === 'Examples' && op.example === undefined && line.startsWith('`chain()`, `await')) {
      const start = lines.indexOf('```ts', i);
      const end = lines.indexOf('```', start + 1);
      if (start !== -1 && end !== -1) op.example = exampleOptions(lines.slice(start + 1, end).join('\n'), op.method);
    }
  }
  return page;
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

/** The command line that makes the page's example call. */
function exampleCommand(page: HelpPage, op: HelpOperation): string {
  const example = op.example ?? {};
  const words = ['wxpay', shellQuote(page.template)];
  for (const variable of op.path) {
    const value = example[variable.name];
    words.push(shellQuote(`--${variable.name}=${typeof value === 'string' || typeof value === 'number' ? String(value) : variable.name.toUpperCase()}`));
  }
  if (example.query !== undefined) words.push('--query', shellQuote(JSON.stringify(example.query)));
  const payload = page.protocol === 'v2' ? 'xml' : 'json';
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
 * process.stdout.write(renderEndpointHelp(parseEndpointPage(text), 'docs/api/v3/pay/transactions/native.md'));
 * ```
 */
export function renderEndpointHelp(page: HelpPage, source?: string): string {
  const payload = page.protocol === 'v2' ? 'xml' : 'json';
  const out = [
    `Usage: wxpay ${page.template} [options]${page.operations.some((op) => op.path.length) ? ' --name=value …' : ''}`,
    '',
    page.title,
    `${page.protocol === 'v2' ? 'APIv2 (XML)' : 'APIv3 (JSON)'} · ${page.operations.map((op) => op.method.toUpperCase()).join(', ')}`,
  ];
  for (const op of page.operations) {
    out.push('', `${op.method.toUpperCase()} — ${op.summary}${op.deprecated ? ' (deprecated in the catalog)' : ''}`);
    if (op.path.length) out.push('  Path variables (--name=value):', ...table(op.path, '    '));
    if (op.query.length) out.push(`  Query (--query '{…}'):`, ...table(op.query, '    '));
    if (op.headers.length) out.push(`  Headers (--header 'Name: value'):`, ...table(op.headers, '    '));
    if (op.headers.some((h) => h.name.toLowerCase() === 'wechatpay-serial')) out.push('    (--encrypt <field…> encrypts sensitive fields and sets Wechatpay-Serial to match)');
    if (op.body) {
      const label = payload === 'xml' ? `XML fields (--xml '{…}', a JSON object; nonce_str and sign are added)` : `JSON body (--json '{…}' or --json @file.json)`;
      out.push(`  ${label}${op.body.required ? ', required' : ''}:`);
      out.push(...(op.body.fields.length ? table(op.body.fields, '    ') : ['    (the catalog does not list the fields)']));
    }
    if (!op.path.length && !op.query.length && !op.headers.length && !op.body && !op.multipart) out.push('  No parameters.');
    if (op.multipart) out.push('  A multipart file upload: wxpay cannot send it; use MediaUtil in code (docs/guides/media.md).');
    if (op.certRequired) out.push(`  Needs the merchant API certificate (sent over mutual TLS): the --config file must hold "merchant": { "cert": "file:///…/apiclient_cert.pem", "key": "file:///…/apiclient_key.pem" }.`);
    if (!op.multipart) out.push('  Example:', `    ${exampleCommand(page, op)}`);
    if (op.links.length) out.push(`  Documentation: ${op.links.join(' ')}`);
  }
  out.push('', `Client options (--config, --mchid, --baseURL, …): wxpay request --help`);
  if (source) out.push(`Response fields and code examples: ${source}`);
  return `${out.join('\n')}\n`;
}

/**
 * The help text for `wxpay <endpoint> --help`: the endpoint's page rendered, or, for a path not
 * in the catalog, a note saying so (it can still be called) with the catalog paths nearby.
 * @example
 * ```ts
 * process.stdout.write(endpointHelp('v3/ecommerce/refunds/{refund_id}/return-advance'));
 * ```
 */
export function endpointHelp(endpoint: string, root = DOCS_API_DIR): string {
  const page = findEndpointPage(endpoint, root);
  if (page) {
    return renderEndpointHelp(parseEndpointPage(readFileSync(page, 'utf8')), page);
  }
  const lines = [
    `${endpoint} is not in the endpoint catalog${existsSync(root) ? '' : ` (no catalog pages at ${root})`}.`,
    'It can still be called, as the chain can call any path:',
    `  wxpay ${shellQuote(endpoint)} [--json '{…}' | --xml '{…}'] [--query '{…}'] [-X get|post|put|patch|delete] [--name=value …]`,
  ];
  // the catalog paths under the longest known prefix, as a hint for a typo
  const segments = segmentsOf(endpoint.trim()).filter((s) => s !== '' && s !== '.' && s !== '..');
  let dir = root;
  let prefix = '';
  for (const segment of segments) {
    const next = join(dir, segment);
    if (!existsSync(next) || !statSync(next).isDirectory()) break;
    dir = next;
    prefix += `${segment}/`;
  }
  if (prefix !== '') {
    const near = entries(dir).map((name) => `${prefix}${name.replace(/\.md$/, '')}`);
    const unique = [...new Set(near)];
    lines.push('', `Catalog paths under ${prefix}:`, ...unique.slice(0, 20).map((p) => `  ${p}`));
    if (unique.length > 20) lines.push(`  … and ${unique.length - 20} more (docs/api/README.md)`);
  }
  lines.push('', 'Options: wxpay request --help');
  return `${lines.join('\n')}\n`;
}
