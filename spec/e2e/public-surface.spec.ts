/**
 * The public surface a newcomer can hold in their head: the root exports the client, its
 * configuration, the option and answer types, the errors and the everyday helpers (at most 60
 * runtime values); the toolkits are subpath exports named after their concern; internals are
 * exported from no entry point. Held on the sources (lib/) and on the published build (dist/),
 * with every entry of package.json `exports`; every export carries TSDoc with an `@example`; and
 * CHANGELOG.md says where each export of 0.1.0's root went.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTRY_KINDS, ENTRY_POINTS, loadEntries, releaseEntries, type Entries } from '../support/entries.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const words = (text: string) => text.split(/\s+/).filter(Boolean).sort();

/** The runtime values of each entry (the emulator's, /testing, is the testing guide's business). */
const SURFACE: Readonly<Record<Exclude<keyof Entries, 'testing'>, string[]>> = {
  main: words(`
    Builder DEFAULT_TIMEOUT DEFAULT_MAX_BODY_SIZE createAgent VERSION
    DEFAULT_BASE_URL BACKUP_BASE_URL KNOWN_ORIGINS DEFAULT_HOSTS documentedOrigin DEFAULT_RETRY DEFAULT_RECOVER_AFTER
    Pipeline Verifier MAX_CLOCK_SKEW UNSIGNED_ANSWERS
    WeChatPayError ArgumentError HttpError BusinessError NetworkError TimeoutError VerificationError DecodeError PublicKeyModeError
    printable printableJson MAX_PRINTED redactRequest buildJsapiPayParams buildMiniProgramPayParams buildAppPayParams diagnose`),
  crypto: words('Rsa AesGcm AesEcb Hash Formatter loadKey certificateSerial encryptFields decryptFields choosePlatformSerial'),
  webhook: words('parseNotification notificationReply NOTIFICATION_ALGORITHM'),
  apiv2: words('ApiV2 Transformer MAX_XML_BYTES MAX_XML_DEPTH'),
  media: words('MediaUtil DEFAULT_MEDIA_LAYOUT UPLOAD_ENDPOINTS uploadLayoutOf V2_UPLOAD_LAYOUT'),
  download: words('downloadBill downloadFile BILL_ENDPOINTS saveStream parseBill decryptBill billCipher'),
  certificates: words('downloadCertificates writeCertificates decryptCertificates CertificateManager'),
  doctor: words('diagnose formatDiagnosis CHECK_IDS SIGN_ERROR_CHECKLIST'),
};

/** The library's own machinery, which no entry point exports (several were exported by 0.1.0). */
const INTERNALS = words(`
  buildRequest encodeQuery expandTemplate variablesOf normalizeLiteral normalizeProperty resolveConfig requestContext
  backoff retryDelay resolveRetry parseRetryAfter failureKind shouldFailOver retryStep failoverStep
  prepareMedia prepareV2Media signedUploadForm certificatesStep installCertificatesStep CERTIFICATES_STEP installInnerStep
  applySensitiveFields hashAlgorithm isUnsignedAnswer isExempt redactWhenPrinted routeMutualTls
  v3SignStep v3VerifyStep v2SignStep v2VerifyStep registerClient recordOf`);

/** Everything 0.1.0's root exported, values then types: each must still be there or be in CHANGELOG.md. */
const BEFORE = words(`
  Builder DEFAULT_MAX_BODY_SIZE DEFAULT_TIMEOUT resolveConfig BACKUP_BASE_URL DEFAULT_BASE_URL DEFAULT_HOSTS documentedOrigin KNOWN_ORIGINS
  normalizeLiteral normalizeProperty buildRequest encodeQuery expandTemplate variablesOf ArgumentError DecodeError HttpError NetworkError
  redactRequest TimeoutError VerificationError WeChatPayError BusinessError ApiV2 Transformer MAX_XML_BYTES MAX_XML_DEPTH MAX_PRINTED
  printable printableJson Formatter Rsa certificateSerial loadKey Pipeline createAgent EXEMPT_FROM_VERIFICATION isExempt MAX_CLOCK_SKEW
  Verifier VERSION AesGcm AesEcb Hash NOTIFICATION_ALGORITHM parseNotification notificationReply PublicKeyModeError CERTIFICATES_STEP
  certificatesStep decryptCertificates downloadCertificates installCertificatesStep writeCertificates CertificateManager
  applySensitiveFields choosePlatformSerial decryptFields encryptFields buildAppPayParams buildJsapiPayParams buildMiniProgramPayParams
  backoff DEFAULT_RETRY parseRetryAfter resolveRetry retryDelay failureKind DEFAULT_RECOVER_AFTER shouldFailOver MediaUtil
  DEFAULT_MEDIA_LAYOUT UPLOAD_ENDPOINTS uploadLayoutOf prepareMedia prepareV2Media V2_UPLOAD_LAYOUT BILL_ENDPOINTS downloadBill
  downloadFile billCipher decryptBill hashAlgorithm saveStream parseBill diagnose CHECK_IDS formatDiagnosis SIGN_ERROR_CHECKLIST
  ClientConfig ClientMembers WeChatPayClient Target ChainNode NodeMembers VerbCall QueryValue RawBody RequestOptions TransportOptions
  HttpMethod PreparedRequest ApiV2Config MerchantCertificate PemLike V2Notification V2NotificationKind V2NotificationOptions
  V2PaymentNotification V2PaymentNotificationOptions V2RefundNotification V2RefundNotificationOptions ParseXmlOptions XmlRecord
  XmlScalar ErrorResponse RedactedRequest VerificationReason KeyLike KeyType ChainResponse Middleware Next Protocol RequestContext
  HeaderBag BinaryLike SignType RsaPadding EncryptedResource IncomingHeaders IncomingNotification Notification NotificationOptions
  NotificationReply CertificateDownloadOptions PlatformCertificate CertificateManagerOptions SensitiveFields AppPayParams
  JsapiPayParams ResolvedRetryPolicy RetryInfo RetryOption RetryPolicy FailoverEvent FailoverInfo FailoverOption FailoverOptions
  DebugOption MediaBody MediaOptions MediaSource MediaLayout ChainClient DownloadableFile DownloadTarget FileDownloadOptions
  BillAlgorithm BillDecryption ExpectedDigest HashType SaveOptions SaveResult BillRow ParseBillOptions Endpoints Templates TypedRoot
  Call CallOptions OperationShape OptionalCall TypedNode CheckId CheckStatus DiagnoseOptions Diagnosis DoctorCheck DoctorConfig`);

afterAll(releaseEntries);

describe.each(ENTRY_KINDS)('the entry points (%s)', (kind) => {
  let entries: Entries;
  beforeAll(async () => {
    entries = await loadEntries(kind);
  }, 120_000);

  it('the root exports at most 60 runtime values: the client, its configuration, the errors, the everyday helpers', () => {
    const values = Object.keys(entries.main).sort();
    expect(values.length).toBeLessThanOrEqual(60);
    expect(values).toEqual(SURFACE.main);
  });

  it('each toolkit is a subpath named after its concern, exporting its toolkit and nothing else', () => {
    for (const [name, expected] of Object.entries(SURFACE)) expect(Object.keys(entries[name as keyof Entries]).sort(), name).toEqual(expected);
  });

  it('exports no internal from any entry point', () => {
    for (const [name, module] of Object.entries(entries)) {
      const leaked = INTERNALS.filter((internal) => internal in (module as object));
      expect(leaked, name).toEqual([]);
    }
  });
});

describe('package.json and the sources of the entry points', () => {
  const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
    exports: Record<string, string | { types?: string; default?: string }>;
    typesVersions: Record<string, Record<string, string[]>>;
  };

  it('has one export per entry point, each with types and one module for import and require, beside ./package.json', () => {
    const subpaths = Object.keys(pkg.exports).filter((key) => key !== './package.json');
    expect(subpaths.sort()).toEqual(Object.values(ENTRY_POINTS).map((entry) => entry.subpath).sort());
    for (const { subpath, module } of Object.values(ENTRY_POINTS)) {
      expect(pkg.exports[subpath], subpath).toEqual({ types: `./dist/${module}.d.ts`, default: `./dist/${module}.js` });
    }
  });

  it('maps every subpath in typesVersions, for TypeScript resolvers that ignore exports (moduleResolution node10)', () => {
    const subpaths = Object.values(ENTRY_POINTS).filter((entry) => entry.subpath !== '.');
    expect(pkg.typesVersions).toEqual({ '*': Object.fromEntries(subpaths.map(({ subpath, module }) => [subpath.slice(2), [`./dist/${module}.d.ts`]])) });
  });

  it('puts no "issue N" bookkeeping in an entry file', () => {
    for (const { module } of Object.values(ENTRY_POINTS)) expect(readFileSync(`${root}lib/${module}.ts`, 'utf8'), module).not.toMatch(/\bissue \d+/i);
  });

  // every entry, /testing included (issue 16: the emulator's exports are public API too)
  it('documents every export with TSDoc and an @example', () => {
    const files = Object.values(ENTRY_POINTS).map(({ module }) => `${root}lib/${module}.ts`);
    const program = ts.createProgram(files, { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2023, strict: true, types: ['node'], noEmit: true });
    const checker = program.getTypeChecker();
    const undocumented: string[] = [];
    for (const file of files) {
      const source = program.getSourceFile(file);
      const module = source && checker.getSymbolAtLocation(source);
      expect(module, file).toBeDefined();
      for (const exported of checker.getExportsOfModule(module as ts.Symbol)) {
        const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
        if (!target.getJsDocTags(checker).some((tag) => tag.name === 'example')) undocumented.push(`${file.slice(root.length)}: ${exported.name}`);
      }
    }
    expect(undocumented).toEqual([]);
  }, 60_000);

  it('CHANGELOG.md says where every export of the 0.1.0 root went', () => {
    const changelog = readFileSync(`${root}CHANGELOG.md`, 'utf8');
    const rows = new Set([...changelog.matchAll(/^\| `(?:type )?([\w.]+)` \| `import \{ (?:type )?\1 \} from 'wechatpay-chain'` \|/gm)].map((m) => m[1]));
    const rootTypes = readFileSync(`${root}lib/index.ts`, 'utf8');
    const stillAtRoot = (name: string) => SURFACE.main.includes(name) || new RegExp(`export type \\{[^}]*\\b${name}\\b`).test(rootTypes);
    expect(BEFORE.filter((name) => !stillAtRoot(name) && !rows.has(name))).toEqual([]);
    // and no row for a name that did not move
    expect([...rows].filter((name) => stillAtRoot(name))).toEqual([]);
  });
});
