/**
 * Reads the OpenAPI catalog (Swagger-2.0-style YAML, one file per path) into a plain model:
 * every `$ref` resolved, every `allOf` merged, so the emitters never touch YAML.
 * @module
 */
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { load } from 'js-yaml';

/** A JSON-schema-like node, after `$ref` / `allOf` resolution. */
export interface Schema {
  type?: string;
  description?: string;
  format?: string;
  enum?: ReadonlyArray<string | number | boolean>;
  example?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
}

/** One request parameter (path, query or header) or a multipart field. */
export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'formData';
  required: boolean;
  schema: Schema;
}

/** One HTTP method on one path template. */
export interface Operation {
  template: string;
  /** The catalog file, relative to the catalog root, without `.yaml` (`v3/applyment4sub/applyment/{empty}`). */
  file: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  protocol: 'v2' | 'v3';
  summary: string;
  /** Official documentation links found in the description. */
  links: string[];
  tags: string[];
  deprecated: boolean;
  parameters: Parameter[];
  /** The JSON (v3) or XML (v2) payload. */
  body?: { required: boolean; schema: Schema };
  /** The decoded 200 body; `null` when the endpoint answers 204 without one. */
  response: Schema | null | undefined;
  /** True for `multipart/form-data` uploads. */
  multipart: boolean;
  /** The endpoint needs the merchant's API certificate (mutual TLS, APIv2 `security: true`). */
  certRequired: boolean;
  /** The base URI the operation names for itself (`x-base-uri`, or `x-baseuri` as one file spells it), when it has one. */
  baseURI?: string;
}

/** The whole catalog: tags in index order and operations sorted by template then method. */
export interface Catalog {
  /** The catalog's own default origin, from `schemes` and `host` (`https://api.mch.weixin.qq.com`). */
  origin: string;
  tags: string[];
  operations: Operation[];
}

type Yaml = Record<string, unknown>;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

function isObject(value: unknown): value is Yaml {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Loads YAML files once each and resolves `$ref`s relative to the file that holds them. */
class Resolver {
  private readonly files = new Map<string, Yaml>();
  constructor(private readonly root: string) {}

  load(file: string): Yaml {
    let doc = this.files.get(file);
    if (doc === undefined) {
      const parsed: unknown = load(readFileSync(join(this.root, file), 'utf8'));
      doc = isObject(parsed) ? parsed : {};
      this.files.set(file, doc);
    }
    return doc;
  }

  /** Resolves `other.yaml#/Name`, `#Name`… from `file`; returns the target and the file it lives in. */
  target(ref: string, file: string): { node: unknown; file: string } {
    const hash = ref.indexOf('#');
    const location = hash < 0 ? ref : ref.slice(0, hash);
    const pointer = hash < 0 ? '' : ref.slice(hash + 1).replace(/^\//, '');
    const targetFile = location === '' ? file : posix.normalize(posix.join(posix.dirname(file), location));
    let node: unknown = this.load(targetFile);
    if (pointer !== '') {
      // names such as `micro.getstate.request` contain dots, so only `/` separates levels
      for (const part of pointer.split('/')) node = isObject(node) ? node[part] : undefined;
    }
    if (node === undefined) throw new Error(`${file}: unresolved $ref ${ref}`);
    return { node, file: targetFile };
  }

  /** A schema with its `$ref`s and `allOf`s resolved (cycles become an open schema). */
  schema(node: unknown, file: string, seen: ReadonlySet<string> = new Set()): Schema {
    if (!isObject(node)) return {};
    const base: Yaml = node;
    const where = file;
    const trail = seen;
    if (typeof node.$ref === 'string') {
      const key = `${file}#${node.$ref}`;
      if (seen.has(key)) return { description: typeof node.description === 'string' ? node.description : undefined };
      const { node: target, file: targetFile } = this.target(node.$ref, file);
      const resolved = this.schema(target, targetFile, new Set([...seen, key]));
      const { $ref: _ref, ...siblings } = node;
      return { ...resolved, ...this.schema(siblings, file, seen) };
    }
    if (Array.isArray(node.allOf)) {
      const merged: Schema = {};
      for (const part of node.allOf) mergeInto(merged, this.schema(part, where, trail));
      const { allOf: _allOf, ...rest } = node;
      mergeInto(merged, this.schema(rest, where, trail));
      return merged;
    }
    const out: Schema = {};
    const type = normalizeType(base.type);
    if (type !== undefined) out.type = type;
    if (typeof base.description === 'string') out.description = base.description;
    if (typeof base.format === 'string') out.format = base.format;
    if (Array.isArray(base.enum)) {
      const values = base.enum.filter((v): v is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof v));
      if (values.length > 0) out.enum = [...new Set(values)];
    }
    if (base.example !== undefined) out.example = base.example;
    if (isObject(base.properties)) {
      out.properties = {};
      for (const [name, child] of Object.entries(base.properties)) out.properties[name] = this.schema(child, where, trail);
    }
    if (Array.isArray(base.required)) out.required = base.required.filter((r): r is string => typeof r === 'string');
    if (base.items !== undefined) out.items = this.schema(base.items, where, trail);
    if (out.type === undefined && out.properties) out.type = 'object';
    if (out.type === undefined && out.items) out.type = 'array';
    return out;
  }
}

function mergeInto(target: Schema, source: Schema): void {
  const { properties, required, enum: values, ...rest } = source;
  Object.assign(target, Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)));
  // the catalog uses allOf to extend a shared enum with more values, so enums add up
  if (values) target.enum = [...new Set([...(target.enum ?? []), ...values])];
  if (properties) target.properties = { ...target.properties, ...properties };
  if (required) target.required = [...new Set([...(target.required ?? []), ...required])];
  if (target.properties && target.type === undefined) target.type = 'object';
}

const KNOWN_TYPES = new Set(['string', 'integer', 'number', 'boolean', 'object', 'array', 'file']);

function normalizeType(type: unknown): string | undefined {
  if (typeof type !== 'string') return undefined;
  const t = type.trim().toLowerCase();
  if (t === 'int') return 'integer';
  // a few catalog entries carry an example value in `type`; treat them as unknown
  return KNOWN_TYPES.has(t) ? t : 'unknown';
}

const LINK = /\]\((https?:\/\/[^)\s]+)\)/g;

function linksOf(description: unknown): string[] {
  if (typeof description !== 'string') return [];
  return [...new Set([...description.matchAll(LINK)].map((m) => m[1] as string))];
}

function templateOf(key: string, file: string): string {
  const path = key.replace(/^\//, '');
  return file.startsWith('v2/') ? `v2/${path}` : path;
}

/**
 * Reads the catalog at `root` (the folder holding `swagger.yaml`).
 * @example
 * ```ts
 * const { operations } = readCatalog('vendor/wechatpay-openapi');
 * ```
 */
export function readCatalog(root: string): Catalog {
  const resolver = new Resolver(root);
  const index = resolver.load('swagger.yaml');
  const tags = (Array.isArray(index.tags) ? index.tags : [])
    .map((t) => (isObject(t) && typeof t.name === 'string' ? t.name : undefined))
    .filter((t): t is string => t !== undefined);
  const operations: Operation[] = [];
  const paths = isObject(index.paths) ? index.paths : {};
  for (const [key, entry] of Object.entries(paths)) {
    if (!isObject(entry) || typeof entry.$ref !== 'string') continue;
    const file = posix.normalize(entry.$ref);
    const doc = resolver.load(file);
    const template = templateOf(key, file);
    for (const method of METHODS) {
      const op = doc[method];
      if (!isObject(op)) continue;
      operations.push(readOperation(resolver, file, template, method, op));
    }
  }
  operations.sort((a, b) => (a.template < b.template ? -1 : a.template > b.template ? 1 : METHODS.indexOf(a.method) - METHODS.indexOf(b.method)));
  return { origin: originOf(index), tags, operations };
}

function originOf(index: Yaml): string {
  const schemes = Array.isArray(index.schemes) ? index.schemes.filter((s): s is string => typeof s === 'string') : [];
  const scheme = schemes.includes('https') ? 'https' : (schemes[0] ?? 'https');
  if (typeof index.host !== 'string' || index.host === '') throw new Error('swagger.yaml: no host');
  return new URL(`${scheme}://${index.host}`).origin;
}

/** `x-base-uri` (or the `x-baseuri` spelling) of an operation, as an absolute http(s) URL, or undefined. */
function baseURIOf(op: Yaml, where: string): string | undefined {
  const raw = op['x-base-uri'] ?? op['x-baseuri'];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') throw new Error(`${where}: x-base-uri must be a string`);
  const url = new URL(raw);
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash) throw new Error(`${where}: x-base-uri ${raw} is not a plain http(s) base URL`);
  return url.href;
}

function readOperation(resolver: Resolver, file: string, template: string, method: Operation['method'], op: Yaml): Operation {
  const parameters: Parameter[] = [];
  let body: Operation['body'];
  for (const raw of Array.isArray(op.parameters) ? op.parameters : []) {
    let param: unknown = raw;
    let where = file;
    if (isObject(raw) && typeof raw.$ref === 'string') ({ node: param, file: where } = resolver.target(raw.$ref, file));
    if (!isObject(param)) continue;
    const location = param.in;
    if (location === 'body') {
      body = { required: param.required === true, schema: resolver.schema(param.schema, where) };
      continue;
    }
    if (location !== 'path' && location !== 'query' && location !== 'header' && location !== 'formData') continue;
    const { name: _n, in: _i, required: _r, schema: inner, ...rest } = param;
    const schema = resolver.schema(isObject(inner) ? { ...rest, ...inner, description: rest.description ?? inner.description } : rest, where);
    parameters.push({ name: String(param.name), in: location, required: location === 'path' || param.required === true, schema });
  }
  const responses = isObject(op.responses) ? op.responses : {};
  const ok = responses['200'] ?? responses[200 as unknown as string];
  let response: Operation['response'];
  if (isObject(ok) && ok.schema !== undefined) response = resolver.schema(ok.schema, file);
  else if (responses['204'] !== undefined) response = null;
  const consumes = Array.isArray(op.consumes) ? op.consumes : [];
  const baseURI = baseURIOf(op, `${file} ${method}`);
  return {
    template,
    file: file.replace(/\.yaml$/, ''),
    method,
    protocol: template.startsWith('v2/') ? 'v2' : 'v3',
    summary: typeof op.summary === 'string' ? op.summary.trim() : '',
    links: linksOf(op.description),
    tags: Array.isArray(op.tags) ? op.tags.filter((t): t is string => typeof t === 'string') : [],
    deprecated: op.deprecated === true,
    parameters,
    body,
    response,
    multipart: consumes.includes('multipart/form-data') || parameters.some((p) => p.in === 'formData'),
    certRequired: op['x-api-cert-required'] === true,
    ...(baseURI === undefined ? {} : { baseURI }),
  };
}
