/**
 * X.509 certificates for tests: a CA, server and client certificates (mutual TLS), and
 * WeChat Pay-like platform / merchant certificates with a chosen serial. Uses @peculiar/x509
 * (an optional peer dependency of `wechatpay-chain/testing`, loaded on first use through
 * lib/lazy.ts: without it, {@link createCertificate} rejects with a `MissingPeerError`).
 * @module
 */
import { createPrivateKey, createPublicKey, randomBytes, webcrypto, type KeyObject } from 'node:crypto';
import { x509 as loadX509 } from '../lazy.js';

/**
 * A certificate with its key pair, in the forms tests want.
 * @example
 * ```ts
 * const issued: IssuedCertificate = await createCertificate({ commonName: 'Tenpay.com Root CA' });
 * const certs = { [issued.serial]: issued.certificatePem };
 * ```
 */
export interface IssuedCertificate {
  /** PEM of the certificate. */
  certificatePem: string;
  /** PKCS#8 PEM of the private key. */
  privateKeyPem: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Serial number, upper-case hex (as WeChat Pay prints serials). */
  serial: string;
  /** @internal WebCrypto key used to sign certificates this one issues. */
  readonly signingKey: webcrypto.CryptoKey;
  /** @internal the subject name, as the issuer of children. */
  readonly subject: string;
}

/**
 * Options of {@link createCertificate}.
 * @example
 * ```ts
 * const options: CertificateOptions = { commonName: '1900000109', usage: 'client', subjectSuffix: 'O=Tenpay.com' };
 * const merchant = await createCertificate(options);
 * ```
 */
export interface CertificateOptions {
  /** Subject common name, e.g. `127.0.0.1` or `1900000109`. */
  commonName: string;
  /** Upper-case hex serial; random (20 bytes) by default. */
  serial?: string;
  /** The issuing certificate; self-signed when absent. */
  issuer?: IssuedCertificate;
  /** Whether it may issue certificates. */
  ca?: boolean;
  /** Extended key usage: TLS server, TLS client, or none. */
  usage?: 'server' | 'client';
  /** DNS names / IP addresses for the subjectAltName (servers). */
  altNames?: string[];
  notBefore?: Date;
  notAfter?: Date;
  /** Extra subject attributes, e.g. `O=Tenpay.com,OU=Tenpay.com CA Center`. */
  subjectSuffix?: string;
  /** Certify this RSA private key instead of a fresh one (e.g. a merchant key you already hold). */
  privateKey?: KeyObject;
}

const ALGORITHM = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;

/**
 * A random 20-byte serial in upper-case hex whose first byte is 0x10–0x7f: DER drops a leading
 * 0x00 (the parsed serial would lose it) and a high bit would make the integer negative, so the
 * serial a certificate carries reads back exactly as issued.
 * @example
 * ```ts
 * randomSerial(); // '5157F09EFDC096DE15EBE81A47057A7232F1B8E1'
 * ```
 */
export function randomSerial(): string {
  return randomBytes(20).toString('hex').replace(/^[089a-f]/i, '1').toUpperCase();
}

async function keyPairOf(privateKey: KeyObject | undefined): Promise<webcrypto.CryptoKeyPair> {
  if (privateKey === undefined) return (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const algorithm = { name: ALGORITHM.name, hash: ALGORITHM.hash };
  return {
    privateKey: await webcrypto.subtle.importKey('pkcs8', privateKey.export({ type: 'pkcs8', format: 'der' }), algorithm, true, ['sign']),
    publicKey: await webcrypto.subtle.importKey('spki', createPublicKey(privateKey).export({ type: 'spki', format: 'der' }), algorithm, true, ['verify']),
  };
}

/**
 * Issues a certificate (self-signed, or by `issuer`). Needs the optional peer `@peculiar/x509` (1.x).
 * @throws {MissingPeerError} (rejects) when `@peculiar/x509` is not installed
 * @example
 * ```ts
 * const ca = await createCertificate({ commonName: 'Test CA', ca: true });
 * const server = await createCertificate({ commonName: '127.0.0.1', issuer: ca, usage: 'server', altNames: ['127.0.0.1', 'localhost'] });
 * const platform = await createCertificate({ commonName: 'Tenpay.com Root CA' }); // a platform certificate
 * const merchant = await createCertificate({ commonName: '1900000109', privateKey: merchantKey }); // certify a key you hold
 * ```
 */
export async function createCertificate(options: CertificateOptions): Promise<IssuedCertificate> {
  const x509 = await loadX509();
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const keys = await keyPairOf(options.privateKey);
  const serial = (options.serial ?? randomSerial()).toUpperCase();
  const subject = `CN=${options.commonName}${options.subjectSuffix ? `,${options.subjectSuffix}` : ''}`;
  const notBefore = options.notBefore ?? new Date(Date.now() - 60_000);
  const notAfter = options.notAfter ?? new Date(Date.now() + 365 * 24 * 3600 * 1000);
  const extensions: InstanceType<typeof x509.Extension>[] = [
    new x509.BasicConstraintsExtension(options.ca === true, undefined, true),
    new x509.KeyUsagesExtension(
      options.ca === true
        ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature
        : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.nonRepudiation,
      true,
    ),
  ];
  if (options.usage === 'server') extensions.push(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]));
  if (options.usage === 'client') extensions.push(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]));
  if (options.altNames?.length) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension(
        options.altNames.map((name) => (/^[\d.]+$|:/.test(name) ? { type: 'ip' as const, value: name } : { type: 'dns' as const, value: name })),
      ),
    );
  }
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serial,
    subject,
    issuer: options.issuer?.subject ?? subject,
    notBefore,
    notAfter,
    publicKey: keys.publicKey as unknown as CryptoKey,
    signingKey: (options.issuer?.signingKey ?? keys.privateKey) as unknown as CryptoKey,
    signingAlgorithm: ALGORITHM,
    extensions,
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const privateKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  return {
    certificatePem: certificate.toString('pem'),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    privateKey,
    publicKey: createPublicKey(privateKey),
    serial,
    signingKey: keys.privateKey,
    subject,
  };
}
