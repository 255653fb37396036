import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request that cannot be served, answered as `{"error": message}` with `status`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Headers on every answer: no framing, no sniffing, nothing loaded from anywhere but here. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

/** SECURITY_HEADERS whose img-src also allows these origins, exactly (the hub's basemap tile server). */
export function securityHeadersAllowingImages(origins: readonly string[]): Record<string, string> {
  const csp = SECURITY_HEADERS['Content-Security-Policy'] ?? '';
  if (origins.length === 0) return { ...SECURITY_HEADERS };
  return {
    ...SECURITY_HEADERS,
    'Content-Security-Policy': csp.replace(
      "img-src 'self' data:",
      `img-src 'self' data: ${origins.join(' ')}`,
    ),
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, err: HttpError): void {
  sendJson(res, err.status, { error: err.message, status: err.status }, err.headers);
}

const MAX_BODY_BYTES = 4096;

/** Reads a small JSON object body; anything else is a 4xx with a clear message. */
export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'the body must be application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `the body must be at most ${MAX_BODY_BYTES} bytes`);
    chunks.push(buf);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'the body is not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new HttpError(400, 'the body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** Query parameters, rejecting repeated and unknown ones so a typo is an error, not silently ignored. */
export function queryParams(url: URL, allowed: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of url.searchParams) {
    if (!allowed.includes(key)) {
      throw new HttpError(400, `unknown parameter ${JSON.stringify(key)} (allowed: ${allowed.join(', ')})`);
    }
    if (out.has(key)) throw new HttpError(400, `parameter ${JSON.stringify(key)} given twice`);
    out.set(key, value);
  }
  return out;
}
