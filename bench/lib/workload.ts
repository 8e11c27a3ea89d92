/**
 * What every benchmarked client does, and what the processes tell each other.
 * The workload is the seed scenario's 垫付退款回补 call: POST with a path variable and a JSON body,
 * answered by a signed JSON body that must verify.
 */

/** Keys and addresses handed to every client process. */
export interface Workload {
  baseURL: string;
  mchid: string;
  /** Merchant certificate serial. */
  serial: string;
  merchantPrivateKeyPem: string;
  /** `PUB_KEY_ID_…` of the stand-in's platform key. */
  platformSerial: string;
  platformPublicKeyPem: string;
  /** Only the crypto floor uses it: to make a signature it can verify without a server. */
  platformPrivateKeyPem: string;
}

/** The request every client sends. */
export const REFUND_ID = '50000000382019052709732678859';
export const SUB_MCHID = '1900000109';
export const TEMPLATE = 'v3/ecommerce/refunds/{refund_id}/return-advance';
export const PATH = `/v3/ecommerce/refunds/${REFUND_ID}/return-advance`;
export const REQUEST_JSON = { sub_mchid: SUB_MCHID };

/** The answer the stand-in gives (and the crypto floor verifies). */
export const RESPONSE_BODY = JSON.stringify({
  refund_id: REFUND_ID,
  advance_return_id: '12000000000000000000000000000000',
  return_amount: 888,
  payer_mchid: SUB_MCHID,
  payer_account: 'BASIC',
  payee_mchid: '1900000100',
  payee_account: 'BASIC',
  result: 'SUCCESS',
  succeed_time: '2020-04-12T11:11:11+08:00',
});

/** One benchmarked client, ready to send: `call()` performs one full request and checks its answer. */
export interface BenchClient {
  call(): Promise<void>;
  close(): Promise<void>;
}

/** A client adapter module's default export. */
export type ClientFactory = (workload: Workload) => Promise<BenchClient>;

/** The clients, in the order the report lists them. */
export const KINDS = ['chain', 'axios', 'plain', 'undici', 'floor'] as const;
export type Kind = (typeof KINDS)[number];

export const LABELS: Record<Kind, string> = {
  chain: 'wechatpay-chain',
  axios: 'wechatpay-axios-plugin',
  plain: 'plain undici + thread-pool signing',
  undici: 'undici, no signing (transport floor)',
  floor: 'sign + verify only (crypto floor)',
};

/** Figures of one client at one concurrency. */
export interface LevelResult {
  concurrency: number;
  requests: number;
  rps: number;
  /** Process CPU (main thread + thread pool, user + system) per request, ms. */
  cpuMs: number;
  p50Ms: number;
  p99Ms: number;
  /** monitorEventLoopDelay (resolution 1 ms) p99, ms. */
  eldP99Ms: number;
}

/** What a client process reports for one round. */
export interface RoundResult {
  kind: Kind;
  levels: LevelResult[];
  /** monitorEventLoopDelay p99 (ms) at a fixed offered load of `LoadOrder.rate` requests/s. */
  eldAtRateMs: number;
  /** JS heap bytes allocated per request (GCProfiler: freed by every GC + growth), at concurrency 8. */
  heapBytesPerRequest: number;
}

/** Parent → load process. */
export interface LoadOrder {
  kind: Kind;
  workload: Workload;
  levels: number[];
  warmupMs: number;
  durationMs: number;
  allocationRequests: number;
  /** Offered requests/s of the loop-delay phase. */
  rate: number;
}
