/**
 * A miniature endpoint catalog in a temporary folder, read back with the generator's reader, for
 * the emitters' specs. Call {@link removeMiniCatalogs} in `afterAll`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { readCatalog, type Catalog } from '../../scripts/openapi/catalog.js';

const dirs: string[] = [];

/**
 * `paths` maps an index key to its file's YAML: `/v3/…`, `/hk/…` and `/global/…` files lie at
 * their path, any other key is an APIv2 path (`/risk/getpublickey` → `v2/risk/getpublickey.yaml`),
 * as in the real catalog.
 */
export function miniCatalog(paths: Record<string, string>): Catalog {
  const root = mkdtempSync(join(tmpdir(), 'wechatpay-chain-mini-catalog-'));
  dirs.push(root);
  const index = ['host: api.mch.weixin.qq.com', 'schemes: [https]', 'paths:'];
  for (const [key, yaml] of Object.entries(paths)) {
    const file = key.startsWith('/v3/') || key.startsWith('/hk/') || key.startsWith('/global/') ? `.${key}.yaml` : `./v2${key}.yaml`;
    index.push(`  ${key}:`, `    $ref: ${file}`);
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), yaml);
  }
  writeFileSync(join(root, 'swagger.yaml'), `${index.join('\n')}\n`);
  return readCatalog(root);
}

/** Removes every catalog {@link miniCatalog} wrote. */
export function removeMiniCatalogs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}
