import { describe, expect, it, vi } from 'vitest';
import { AGENT_DEFAULTS, createAgent } from '../../lib/transport/agent.js';
import { loadMerchant, SecureDispatcher } from '../../lib/transport/mutual-tls.js';
import { createCertificate } from '../../lib/testing/certificates.js';

// undici's Agent replaced by one that keeps its options: what the client asks of undici is the
// subject here, not undici
vi.mock('../../lib/lazy.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../lib/lazy.js')>();
  class RecordingAgent {
    constructor(readonly options: Record<string, unknown>) {}
    close(): Promise<void> {
      return Promise.resolve();
    }
  }
  return { ...real, undici: () => ({ Agent: RecordingAgent }) };
});

const optionsOf = (agent: unknown) => (agent as { options: Record<string, unknown> }).options;

describe('createAgent: the one set of Agent defaults', () => {
  it('keeps connections alive 10 s (at most 60 s) and gives up connecting after 10 s', () => {
    expect(optionsOf(createAgent())).toEqual({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000, connect: { timeout: 10_000 } });
    expect(AGENT_DEFAULTS).toEqual({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000, connectTimeout: 10_000 });
  });

  it('lets options override the defaults, merging a connect object and keeping a connector function', () => {
    expect(optionsOf(createAgent({ connections: 64, keepAliveTimeout: 1_000 }))).toEqual({ keepAliveTimeout: 1_000, keepAliveMaxTimeout: 60_000, connections: 64, connect: { timeout: 10_000 } });
    expect(optionsOf(createAgent({ connect: { ca: 'PEM' } })).connect).toEqual({ timeout: 10_000, ca: 'PEM' });
    expect(optionsOf(createAgent({ connect: { timeout: 3_000 } })).connect).toEqual({ timeout: 3_000 });
    const connector = () => undefined;
    expect(optionsOf(createAgent({ connect: connector as never })).connect).toBe(connector);
  });

  it('gives the mutual-TLS Agent the same defaults, with the CA and the merchant certificate', async () => {
    const issued = await createCertificate({ commonName: '1900000109', usage: 'client' });
    const merchant = loadMerchant({ cert: issued.certificatePem, key: issued.privateKeyPem });
    const agent = new SecureDispatcher(merchant, undefined, { ca: ['CA PEM'] }).get();
    const { connect, ...rest } = optionsOf(agent);
    expect(rest).toEqual({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000 });
    expect(connect).toEqual({ timeout: 10_000, ca: ['CA PEM'], ...merchant.tls });
  });
});
