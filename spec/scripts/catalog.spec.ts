/**
 * The pinned catalog (vendor/wechatpay-openapi) is what `npm run catalog` copied: its LICENSE is
 * there, and the files still hash to the digest PIN.json recorded (an edit by hand fails here).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CATALOG_DIR, digestCatalog, readPin, refresh } from '../../scripts/catalog.js';

describe('the pinned catalog', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'wechatpay-chain-catalog-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('carries its MIT licence and the upstream README', () => {
    expect(readFileSync(join(CATALOG_DIR, 'LICENSE'), 'utf8')).toMatch(/Copyright \(c\) 2020-present James ZHANG\(TheNorthMemory\)/);
    expect(existsSync(join(CATALOG_DIR, 'README.md'))).toBe(true);
  });

  it('hashes to the digest PIN.json recorded', () => {
    const pin = readPin();
    expect(pin.files).toBeGreaterThan(1000);
    expect(digestCatalog(CATALOG_DIR)).toEqual(pin);
  });

  it('refresh copies a catalog folder and pins it; a changed byte changes the pin', () => {
    const copy = join(scratch, 'copy');
    expect(refresh(CATALOG_DIR, copy)).toEqual(readPin());
    writeFileSync(join(copy, 'swagger.yaml'), `${readFileSync(join(copy, 'swagger.yaml'), 'utf8')} `);
    expect(digestCatalog(copy).sha256).not.toBe(readPin().sha256);
  });

  it('refuses a folder that is not a catalog', () => {
    expect(() => refresh(scratch, join(scratch, 'out'))).toThrow(/no swagger\.yaml/);
  });
});
