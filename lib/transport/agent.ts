/**
 * The undici Agents the client makes itself — its default dispatcher, and the mutual-TLS one that
 * presents the merchant certificate — with the one set of defaults: keep-alive 10 s (at most
 * 60 s, as a server's Keep-Alive header may ask), connect timeout 10 s. undici is loaded when the
 * first Agent is made (see ../lazy.ts).
 * @module
 */
import type { Agent } from 'undici';
import { undici } from '../lazy.js';

/**
 * The defaults of every Agent the client makes; options given to {@link createAgent} override
 * them, `connect` field by field.
 * @example
 * ```ts
 * AGENT_DEFAULTS.connectTimeout; // 10000
 * ```
 */
export const AGENT_DEFAULTS = Object.freeze({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000, connectTimeout: 10_000 });

/**
 * An undici Agent with keep-alive: what a client uses when it is given no `dispatcher`. Options
 * override {@link AGENT_DEFAULTS}; a `connect` object is merged with the default connect timeout
 * (a connector function is used as given). undici is loaded on the first call.
 * @example
 * ```ts
 * const client = Builder.factory({ ...config, dispatcher: createAgent({ connections: 64 }) });
 * ```
 */
export function createAgent(options: Agent.Options = {}): Agent {
  const { keepAliveTimeout, keepAliveMaxTimeout, connectTimeout } = AGENT_DEFAULTS;
  const given = options.connect;
  const connect = typeof given === 'function' ? given : { timeout: connectTimeout, ...given };
  return new (undici().Agent)({ keepAliveTimeout, keepAliveMaxTimeout, ...options, connect });
}
