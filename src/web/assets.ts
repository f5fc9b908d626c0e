import type { FastifyInstance } from 'fastify';
import { transform } from 'lightningcss';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SiteConfig } from '../config/site.js';
import { themeCss } from './theme.js';
import { compressOnce, etagMatches } from './compress.js';

// Static assets under content-hashed names (docs/seo.md, decision 028): a name changes whenever
// the content does, so a browser may keep each one a year without asking again. Stylesheets are
// bundled per layout with the theme's colours in front and minified, so a page waits for one
// stylesheet only. Everything is read and built once per site config, at boot.

const publicDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../public');

/** A year, and never revalidated: the name changes with the content. */
export const immutableCache = 'public, max-age=31536000, immutable';

export interface Asset {
  /** `/static/site.3f9c2a1b7d.css` */
  href: string;
  type: string;
  body: Buffer;
  etag: string;
}

const types: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** The stylesheet bundles: each layout links one, theme first. */
const bundles = {
  'site.css': ['site.css'],
  'console.css': ['site.css', 'console.css'],
} as const;
export type Bundle = keyof typeof bundles;

/** Files served under their hashed name as they are (and the site's logo, when it has one). */
const files = ['apple-touch-icon.png'] as const;
export type AssetFile = (typeof files)[number] | Bundle | 'logo';

const hashOf = (body: Buffer) => createHash('sha256').update(body).digest('hex').slice(0, 10);

function asset(name: string, body: Buffer): Asset {
  const ext = path.extname(name);
  const hash = hashOf(body);
  return {
    href: `/static/${path.basename(name, ext)}.${hash}${ext}`,
    type: types[ext] ?? 'application/octet-stream',
    body,
    etag: `"${hash}"`,
  };
}

/** Minified CSS (lightningcss), once per bundle at start. */
export function minifyCss(name: string, css: string): Buffer {
  const { code } = transform({ filename: name, code: Buffer.from(css), minify: true });
  return Buffer.from(code);
}

const read = (name: string) => readFileSync(path.join(publicDir, name));

function build(site: SiteConfig): Map<AssetFile, Asset> {
  const out = new Map<AssetFile, Asset>();
  const theme = themeCss(site.colours);
  for (const [name, parts] of Object.entries(bundles) as [Bundle, readonly string[]][]) {
    const css = theme + parts.map((p) => read(p).toString('utf8')).join('\n');
    out.set(name, asset(name, minifyCss(name, css)));
  }
  for (const name of files) out.set(name, asset(name, read(name)));
  const logo = site.company.logo?.slice('/static/'.length);
  if (logo) out.set('logo', asset(logo, read(logo)));
  return out;
}

/** Scripts that do not depend on the site config, under hashed names for any page to link. */
const scripts = ['cookies.js'] as const;
export type ScriptFile = (typeof scripts)[number];
let scriptAssets: Map<ScriptFile, Asset> | undefined;
const sharedScripts = () =>
  (scriptAssets ??= new Map(scripts.map((name) => [name, asset(name, read(name))])));

/** The hashed address of a script in public/: what a page's <script src> names. */
export const scriptHref = (name: ScriptFile): string => sharedScripts().get(name)!.href;

const bySite = new WeakMap<SiteConfig, Map<AssetFile, Asset>>();

/** The hashed assets of a site config: built on first use, then the same object. */
export function siteAssets(site: SiteConfig): Map<AssetFile, Asset> {
  let assets = bySite.get(site);
  if (!assets) {
    assets = build(site);
    bySite.set(site, assets);
  }
  return assets;
}

/** The address of an asset under its hashed name: what pages link to. */
export const assetHref = (site: SiteConfig, name: AssetFile): string =>
  siteAssets(site).get(name)!.href;

/** The site's logo, which is also its favicon; null when the site config names none. */
export const logoHref = (site: SiteConfig): string | null =>
  siteAssets(site).get('logo')?.href ?? null;

/** Serves every hashed asset from memory, compressed once (src/web/compress.ts). */
export function assetRoutes(app: FastifyInstance, site: SiteConfig) {
  for (const a of [...siteAssets(site).values(), ...sharedScripts().values()]) {
    compressOnce(a.body);
    app.get(a.href, async (request, reply) => {
      reply.header('cache-control', immutableCache).header('etag', a.etag);
      if (etagMatches(request.headers['if-none-match'], a.etag)) return reply.code(304).send();
      return reply.type(a.type).send(a.body);
    });
  }
}
