/**
 * The runtime list of APIv2 endpoints that need the merchant API certificate, from the catalog's
 * `x-api-cert-required: true`. It is written outside lib/openapi (to lib/apiv2), because the
 * request path must not load the generated endpoint types' folder, and kept to one small Set.
 * @module
 */
import type { Catalog } from './catalog.js';
import { BANNER } from './emit-types.js';

/** Where the list is written, relative to the repository root. */
export const CERT_REQUIRED_FILE = 'lib/apiv2/cert-required.ts';

/**
 * The APIv2 templates that need the certificate, as the chain builds them for APIv2 (no `v2/`
 * prefix, path variables as `{name}`), sorted and without duplicates. Every method counts: the
 * certificate is asked for by the TLS connection, whatever the method.
 * @example
 * ```ts
 * certRequiredTemplates(readCatalog('vendor/wechatpay-openapi')).includes('secapi/pay/refund'); // true
 * ```
 */
export function certRequiredTemplates(catalog: Catalog): string[] {
  const templates = catalog.operations.filter((op) => op.protocol === 'v2' && op.certRequired).map((op) => op.template.replace(/^v2\//, ''));
  return [...new Set(templates)].sort();
}

/**
 * The source text of {@link CERT_REQUIRED_FILE}.
 * @example
 * ```ts
 * writeFileSync(CERT_REQUIRED_FILE, emitCertRequired(catalog));
 * ```
 */
export function emitCertRequired(catalog: Catalog): string {
  const templates = certRequiredTemplates(catalog);
  const sample = templates.includes('secapi/pay/refund') ? 'secapi/pay/refund' : (templates[0] ?? 'secapi/pay/refund');
  return `${BANNER}
/**
 * The APIv2 endpoints that need the merchant API certificate (mutual TLS, 双向证书), as the
 * endpoint catalog marks them (\`x-api-cert-required: true\`). A request to one of them goes over
 * mutual TLS unless the caller passes \`security: false\` (see lib/transport/mutual-tls.ts).
 * Endpoint data: TheNorthMemory/wechatpay-openapi, MIT License.
 * @module
 */

/**
 * APIv2 templates as the chain builds them, without the \`v2/\` prefix.
 * @example
 * \`\`\`ts
 * CERT_REQUIRED_V2.has('${sample}'); // true
 * \`\`\`
 */
export const CERT_REQUIRED_V2: ReadonlySet<string> = new Set([
${templates.map((t) => `  ${quote(t)},`).join('\n')}
]);
`;
}

function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
