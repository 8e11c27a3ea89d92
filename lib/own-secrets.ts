/**
 * The client never sends its own secrets in a URL or a header. What is sent there is shown as
 * sent — in `error.request`, an error's message and the debug log — so a secret pasted into a path
 * variable, the query or a header would be printed wherever errors are logged (and handed to every
 * proxy and access log on the way). The client knows its secrets (the APIv2 secret, the PFX / key
 * passphrase, the merchant private key in its text forms, and the APIv3 key once it was given one
 * for certificates), so it refuses a request carrying one, before signing, with an
 * `ArgumentError` that names the kind of secret and never the value. Any PEM private key is refused too.
 * @module
 */
import type { KeyObject } from 'node:crypto';
import { ArgumentError } from './errors.js';

// a PEM private key of any kind (PKCS#8, PKCS#1, encrypted) ends its armor lines so
const PEM_PRIVATE = 'PRIVATE KEY-----';
const [SLASH, QUESTION, AMPERSAND, EQUALS] = [0x2f, 0x3f, 0x26, 0x3d];

/**
 * The secrets of one client, and the check of an outgoing request against them.
 * @example
 * ```ts
 * const secrets = new OwnSecrets();
 * secrets.add('the APIv2 secret', config.secret);
 * secrets.check('/v3/x?key=…', headers); // throws ArgumentError when the query holds it
 * ```
 */
export class OwnSecrets {
  /** [what it is, its text], longest first; none shorter than 8 characters. */
  readonly #needles: Array<[string, string]> = [];
  #shortest = Number.POSITIVE_INFINITY;
  /** Header values already found clean (the client's own Accept, User-Agent…): most requests repeat them. */
  readonly #clean = new Set<string>();

  /** Adds a secret's text (ignored when absent or under 8 characters: too short to recognise). */
  add(label: string, text: unknown): this {
    if (typeof text !== 'string' || text.length < 8 || this.#needles.some(([, known]) => known === text)) return this;
    this.#needles.push([label, text]);
    this.#needles.sort((a, b) => b[1].length - a[1].length);
    this.#shortest = Math.min(this.#shortest, text.length);
    this.#clean.clear();
    return this;
  }

  /** Adds the text forms a private key can be pasted in: PKCS#8 and PKCS#1 base64 (the PEM bodies) and the JWK private parts. */
  addPrivateKey(label: string, key: KeyObject): this {
    try {
      const jwk = key.export({ format: 'jwk' });
      this.add(label, key.export({ type: 'pkcs8', format: 'der' }).toString('base64'));
      if (key.asymmetricKeyType === 'rsa') this.add(label, key.export({ type: 'pkcs1', format: 'der' }).toString('base64'));
      for (const part of [jwk.d, jwk.p, jwk.q, jwk.dp, jwk.dq, jwk.qi]) this.add(label, part);
    } catch {
      // a key that cannot be exported cannot have been pasted as text either
    }
    return this;
  }

  /**
   * Refuses a request whose path, query, header names or values hold one of the secrets or a PEM private key.
   * Cheap: a piece shorter than a secret cannot hold it, and most pieces are short.
   * @throws {ArgumentError} naming `path`, `query` or `headers` and the kind of secret
   */
  check(path: string, headers: Readonly<Record<string, string>>): void {
    // one pass over the path, cut at / ? & =: most pieces are too short to hold anything
    const min = Math.min(16, this.#shortest);
    const q = path.indexOf('?');
    let start = 0;
    for (let i = 0; i <= path.length; i++) {
      const c = i === path.length ? SLASH : path.charCodeAt(i);
      if (c !== SLASH && c !== QUESTION && c !== AMPERSAND && c !== EQUALS) continue;
      if (i - start >= min) {
        const piece = path.slice(start, i);
        this.#test(piece.includes('%') ? decode(piece) : piece, q !== -1 && start > q ? 'query' : 'path');
      }
      start = i + 1;
    }
    for (const name in headers) {
      const value = headers[name] as string;
      if (name.length >= this.#shortest) this.#test(name, 'headers', true); // names arrive lower-cased
      if (value.length < min || this.#clean.has(value)) continue;
      this.#test(value, 'headers');
      if (this.#clean.size < 64) this.#clean.add(value);
    }
  }

  #test(text: string, where: string, anyCase = false): void {
    if (text.includes(PEM_PRIVATE)) throw refused(where, 'a PEM private key');
    if (text.length < this.#shortest) return;
    const haystack = anyCase ? text.toLowerCase() : text;
    for (const [label, needle] of this.#needles) {
      if (needle.length <= haystack.length && haystack.includes(anyCase ? needle.toLowerCase() : needle)) throw refused(where, label);
    }
  }
}

function refused(where: string, what: string): ArgumentError {
  return new ArgumentError(`${where}: holds ${what}; the client never sends its own secrets (they would be shown in errors and logs, and to every proxy on the way)`, where);
}

function decode(piece: string): string {
  try {
    return decodeURIComponent(piece);
  } catch {
    return piece;
  }
}
