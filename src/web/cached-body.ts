/**
 * A response body made once and sent many times: the bytes, a gzip and a brotli variant compressed on
 * first demand, and a validator so a page that already holds this version gets a bodiless 304. Serving
 * one is a header check and a buffer write. A small body is compressed at once on the event loop (about
 * a millisecond): handing it to libuv's pool costs a thread wake-up, which on a loaded machine is the
 * slowest part; a large one goes to the pool so the loop stays free.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { brotliCompress, brotliCompressSync, constants, gzip, gzipSync } from 'node:zlib';
import { SECURITY_HEADERS } from './http.js';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/** Below this, compressing costs more than the bytes it saves. */
const COMPRESS_FROM_BYTES = 1024;
/**
 * Brotli's default (11) takes about a second for the full fleet. 4 is the last fast level: the 100 KiB
 * map takes 0.9 ms at 4 and 11 ms at 5 (measured on this machine), for 5.3 against 4.5 KiB.
 */
const BROTLI_QUALITY = 4;
const BROTLI = { params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY } };
/** Up to this size a body is compressed in line (a page of 50 rows is about 35 KiB). */
const INLINE_BYTES = 128 * 1024;

type Coding = 'br' | 'gzip';

export class CachedBody {
  readonly bytes: Buffer;
  /** Weak: the variants differ in bytes, not in meaning. */
  readonly etag: string;
  private readonly variants = new Map<Coding, Promise<Buffer>>();

  constructor(
    text: string,
    private readonly type: string,
    /** Names this version (a revision, a query): equal tags mean equal bodies. */
    tag: string,
  ) {
    this.bytes = Buffer.from(text);
    this.etag = `W/"${tag}"`;
  }

  async send(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const headers: Record<string, string | number> = {
      ...SECURITY_HEADERS,
      'Content-Type': this.type,
      // the page may keep it, but must ask first: a 304 costs a round trip, not the body
      'Cache-Control': 'no-cache',
      ETag: this.etag,
      Vary: 'Accept-Encoding',
    };
    if (matches(req.headers['if-none-match'], this.etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const coding =
      this.bytes.length >= COMPRESS_FROM_BYTES ? pickCoding(req.headers['accept-encoding']) : undefined;
    const body = coding ? await this.variant(coding) : this.bytes;
    if (coding) headers['Content-Encoding'] = coding;
    res.writeHead(200, { ...headers, 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  /** The compressed bytes, made once per body however many ask at the same time. */
  variant(coding: Coding): Promise<Buffer> {
    let made = this.variants.get(coding);
    if (!made) {
      if (this.bytes.length <= INLINE_BYTES) {
        made = Promise.resolve(
          coding === 'br' ? brotliCompressSync(this.bytes, BROTLI) : gzipSync(this.bytes),
        );
      } else made = coding === 'br' ? brotliAsync(this.bytes, BROTLI) : gzipAsync(this.bytes);
      this.variants.set(coding, made);
    }
    return made;
  }
}

/** If-None-Match by weak comparison (RFC 9110 §13.1.2), `*` included. */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  const mine = bare(etag);
  return header.split(',').some((t) => t.trim() === '*' || bare(t) === mine);
}

/** Brotli, else gzip, if the client accepts it (a q of 0 refuses); undefined for identity. */
export function pickCoding(header: string | string[] | undefined): Coding | undefined {
  if (typeof header !== 'string') return undefined;
  const accepted = new Set<string>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    if (name && (q === undefined || Number(q) > 0)) accepted.add(name);
  }
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return undefined;
}
