import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { SECURITY_HEADERS } from './http.js';

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
};

/** URL path → file under src/web/public (copied next to the compiled server by the build). */
export const POINT_PUBLIC_DIR = new URL('./public/', import.meta.url);

const POINT_FILES: Record<string, string> = {
  '/': 'index.html',
  '/tech': 'tech.html',
  '/assets/style.css': 'style.css',
  '/assets/common.js': 'common.js',
  '/assets/icons.js': 'icons.js',
  '/assets/public.js': 'public.js',
  '/assets/controller-watch.js': 'controller-watch.js',
  '/assets/tech.js': 'tech.js',
  '/assets/icon.svg': 'icon.svg',
};

/** uPlot, served from its own package: no CDN, the point works with no internet. */
export const VENDOR_FILES: Record<string, string> = {
  '/assets/vendor/uPlot.iife.min.js': 'uplot/dist/uPlot.iife.min.js',
  '/assets/vendor/uPlot.min.css': 'uplot/dist/uPlot.min.css',
};

/** Files of one folder, by URL path: the point's page, and the hub's dashboard (which shares some). */
export interface AssetSource {
  dir: URL;
  files: Readonly<Record<string, string>>;
}

/** The point's status page. */
export const POINT_ASSETS: readonly AssetSource[] = [{ dir: POINT_PUBLIC_DIR, files: POINT_FILES }];

/** The page's files, read into memory once at start (they are small) and served with an ETag. */
export class StaticAssets {
  private readonly assets = new Map<string, Asset>();

  constructor(
    private readonly sources: readonly AssetSource[] = POINT_ASSETS,
    private readonly securityHeaders: Readonly<Record<string, string>> = SECURITY_HEADERS,
  ) {}

  load(): void {
    for (const { dir, files } of this.sources) {
      const base = fileURLToPath(dir);
      for (const [path, file] of Object.entries(files)) this.add(path, `${base}${file}`);
    }
    const require = createRequire(import.meta.url);
    for (const [path, spec] of Object.entries(VENDOR_FILES)) this.add(path, require.resolve(spec));
  }

  has(path: string): boolean {
    return this.assets.has(path);
  }

  paths(): string[] {
    return [...this.assets.keys()];
  }

  serve(req: IncomingMessage, res: ServerResponse, path: string): void {
    const asset = this.assets.get(path);
    if (!asset) throw new Error(`no asset ${path}`);
    const headers = {
      ...this.securityHeaders,
      'Content-Type': asset.type,
      'Cache-Control': 'no-cache',
      ETag: asset.etag,
    };
    if (req.headers['if-none-match'] === asset.etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Length': asset.body.length });
    res.end(asset.body);
  }

  private add(path: string, file: string): void {
    const body = readFileSync(file);
    const ext = file.split('.').at(-1) ?? '';
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    this.assets.set(path, { body, type: TYPES[ext] ?? 'application/octet-stream', etag });
  }
}
