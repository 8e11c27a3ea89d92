/**
 * The one request `--online` sends: `GET /v3/certificates`, signed by a client built from the
 * configuration (its own sign step, so what is checked is what the application sends). A step
 * just inside verification records what was signed and the answer as it came, before anything
 * judged it.
 * @module
 */
import { Builder } from '../client/builder.js';
import type { ClientConfig } from '../client/config.js';
import { ArgumentError } from '../errors.js';
import type { Middleware } from '../pipeline/context.js';
import { installInnerStep } from '../pipeline/pipeline.js';
import type { DoctorConfig } from './check.js';

/**
 * The Authorization fields, without the signature.
 * @example
 * ```ts
 * const { mchid, nonce_str, timestamp, serial_no }: SignedFields = probe.request!.fields;
 * ```
 */
export interface SignedFields {
  mchid: string;
  nonce_str: string;
  timestamp: string;
  serial_no: string;
}

/**
 * What the probe saw.
 * @example
 * ```ts
 * const probe: Probe = await sendProbe(config);
 * ```
 */
export interface Probe {
  /** Why no request was sent (the client could not be built). */
  notSent?: string;
  /** Set when `certs` could not be loaded and the request went out with no certs. */
  certsDropped?: string;
  /** The request as signed. */
  request?: { method: string; url: string; path: string; body: string; fields: SignedFields };
  /** The answer as received. */
  response?: { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer };
  /** When the request left and the answer arrived (ms, local clock). */
  sentAt?: number;
  receivedAt?: number;
  /** What the call threw, when it threw. */
  error?: unknown;
}

/**
 * The template the probe sends.
 * @example
 * ```ts
 * PROBE_TEMPLATE; // 'v3/certificates'
 * ```
 */
export const PROBE_TEMPLATE = 'v3/certificates';

const PAIR = /(\w+)="([^"]*)"/g;

function fieldsOf(authorization: string | undefined): SignedFields {
  const out: Record<string, string> = {};
  for (const [, key, value] of (authorization ?? '').matchAll(PAIR)) if (key !== 'signature') out[key as string] = value as string;
  return { mchid: out.mchid ?? '', nonce_str: out.nonce_str ?? '', timestamp: out.timestamp ?? '', serial_no: out.serial_no ?? '' };
}

function build(config: ClientConfig): ReturnType<typeof Builder.factory> {
  // one attempt, whatever the application's retry policy
  return Builder.factory({ ...config, retry: false });
}

/**
 * Sends the probe and records it. Never throws: a client that cannot be built, or a request that
 * fails, is recorded.
 * @example
 * ```ts
 * const probe = await sendProbe(config);
 * probe.response?.status; // 200, 401, 404…
 * ```
 */
export async function sendProbe(config: DoctorConfig): Promise<Probe> {
  const probe: Probe = {};
  let client: ReturnType<typeof Builder.factory>;
  try {
    try {
      client = build(config as ClientConfig);
    } catch (error) {
      // a broken certs entry must not stop the signature check: send without certs, judge later
      if (!(error instanceof ArgumentError && error.field?.startsWith('certs'))) throw error;
      probe.certsDropped = error.message;
      client = build({ ...(config as ClientConfig), certs: {} });
    }
  } catch (error) {
    probe.notSent = error instanceof Error ? error.message : String(error);
    return probe;
  }
  const record: Middleware = async (ctx, next) => {
    probe.request = { method: ctx.method, url: `${ctx.origin}${ctx.prefix}${ctx.path}`, path: ctx.path, body: ctx.signBody, fields: fieldsOf(ctx.headers.authorization) };
    probe.sentAt = Date.now();
    const res = await next(ctx);
    probe.receivedAt = Date.now();
    probe.response = { status: res.status, headers: res.headers, body: Buffer.isBuffer(res.body) ? res.body : Buffer.alloc(0) };
    return res;
  };
  // inside verify, as only the library may: the doctor reads the answer as received (a SIGN_ERROR,
  // an unverifiable signature) to explain it; it never hands unverified data to anyone
  installInnerStep(client.pipeline, 'verify', record, 'doctor');
  try {
    await client.chain(PROBE_TEMPLATE).get();
  } catch (error) {
    probe.error = error;
  } finally {
    await client.close();
  }
  return probe;
}
