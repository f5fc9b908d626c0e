import type { FastifyReply } from 'fastify';
import { LRUCache } from 'lru-cache';
import { createHash, randomBytes } from 'node:crypto';
import { h, type VNode } from 'preact';
import { render } from 'preact-render-to-string';
import { compressInSegments, compressOnce, etagMatches } from './compress.js';
import { PageExtrasContext, SiteOriginContext } from './page-extras.js';

// Pages are rendered to HTML templates whose per-request values (a form token, the address the
// cookie notice returns to) are slots, filled at serve time. A public page is the same for every
// visitor in the same state, so its template is rendered once per variant and kept in memory
// (docs/decisions/020-render-cache.md); other pages are rendered per request the same way.

// Per process, so no page text can contain a slot by chance. Letters and digits only: Preact's
// escaping leaves the marker as it is, and encodeURIComponent only encodes its @ signs.
const nonce = randomBytes(8).toString('hex');
const marker = new RegExp(`@@${nonce}([a-zA-Z]+)@@|%40%40${nonce}([a-zA-Z]+)%40%40`, 'g');

/** A per-request value's place in a page: pass it where the value would go. */
export const slot = (name: string): string => `@@${nonce}${name}@@`;

// What Preact's renderer escapes, in text and in attribute values: a filled slot reads the same
// as the value rendered in its place would.
const escapeHtml = (text: string) =>
  text.replace(/["&<]/g, (c) => (c === '"' ? '&quot;' : c === '&' ? '&amp;' : '&lt;'));

interface Template {
  /** Static text and slots alternating: text, slot, text, … text. */
  texts: string[];
  /** The texts' bytes, kept for compression (src/web/compress.ts, Segments). */
  fixed: Buffer[];
  slots: { name: string; uri: boolean }[];
  /** The whole page, when it has no slot: sent as it is. */
  whole: Buffer | null;
  etag: string;
}

export function compileTemplate(html: string): Template {
  const texts: string[] = [];
  const slots: Template['slots'] = [];
  let last = 0;
  for (const m of html.matchAll(marker)) {
    texts.push(html.slice(last, m.index));
    slots.push({ name: (m[1] ?? m[2])!, uri: m[2] !== undefined });
    last = m.index + m[0].length;
  }
  texts.push(html.slice(last));
  // A marker mangled by some other encoding would otherwise reach the visitor.
  if (texts.some((t) => t.includes(nonce)))
    throw new Error('render: a slot was encoded unknowingly');
  const hash = createHash('sha256').update(html).digest('base64url').slice(0, 22);
  return {
    texts,
    fixed: texts.map((t) => Buffer.from(t)),
    slots,
    whole: slots.length ? null : Buffer.from(html),
    etag: hash,
  };
}

/**
 * The page with its slots filled. A kept template's body is marked for compression in segments
 * (its fixed parts compressed once); a template made for one response is not kept, so its body
 * is compressed whole like any other.
 */
export function fillTemplate(
  template: Template,
  values: Readonly<Record<string, string>>,
  kept = false,
): Buffer {
  if (template.whole) return template.whole;
  const filled = template.slots.map((s) => {
    const value = values[s.name];
    if (value === undefined) throw new Error(`render: no value for the slot "${s.name}"`);
    return Buffer.from(escapeHtml(s.uri ? encodeURIComponent(value) : value));
  });
  const body = Buffer.concat(
    template.fixed.flatMap((text, i) => (i < filled.length ? [text, filled[i]!] : [text])),
  );
  if (kept) compressInSegments(body, { fixed: template.fixed, values: filled });
  return body;
}

const toHtml = (reply: FastifyReply, page: VNode) =>
  `<!doctype html>${render(
    h(
      SiteOriginContext.Provider,
      { value: reply.request.publicOrigin ?? null },
      h(PageExtrasContext.Provider, { value: reply.request.pageExtras ?? {} }, page),
    ),
  )}`;

const html = (reply: FastifyReply) => reply.type('text/html; charset=utf-8');

/** Renders for this request alone. Preact escapes every interpolated value: stored text is inert. */
export function renderPage(reply: FastifyReply, page: VNode): FastifyReply {
  const extras = reply.request.pageExtras;
  return html(reply).send(fillTemplate(compileTemplate(toHtml(reply, page)), extras?.values ?? {}));
}

export interface CachedPage {
  /** Everything the page's own content depends on: its path, a language, a policy version. */
  key: string;
  /** Builds the page, with slot() where a per-request value goes; called once per variant. */
  page: () => VNode | Promise<VNode>;
  /** The values of the page's own slots. */
  values?: Readonly<Record<string, string>>;
  /** A value differs for every visitor (a form token): no ETag, the body is never the same. */
  perVisitor?: boolean;
}

export type PageCache = ReturnType<typeof createPageCache>;

/**
 * Templates of rendered pages by variant: the page's key and what its extras depend on (cookie
 * notice, tags, GPC; src/cookies/plugin.ts). Keys and templates hold no visitor's data: every
 * per-request value is a slot. Bounded, least recently used first out.
 */
export function createPageCache(max = 500) {
  const templates = new LRUCache<string, Template>({ max });
  return {
    async send(reply: FastifyReply, cached: CachedPage): Promise<FastifyReply> {
      const extras = reply.request.pageExtras;
      // Extras that do not say what they depend on are rendered for this request alone.
      if (extras && extras.key === undefined) return renderPage(reply, await cached.page());
      const key = `${cached.key}#${extras?.key ?? ''}`;
      let template = templates.get(key);
      if (!template) {
        template = compileTemplate(toHtml(reply, await cached.page()));
        // The same bytes for every visitor in this variant: compressed once, not per response.
        if (template.whole) compressOnce(template.whole);
        templates.set(key, template);
      }
      const values = { ...extras?.values, ...cached.values };
      if (!cached.perVisitor) {
        // The slots' values are part of what the browser holds, so they are part of the tag.
        const filled = template.slots.map((s) => values[s.name]).join('\n');
        const etag = `"${template.etag}${filled ? `-${digest(filled)}` : ''}"`;
        reply.header('etag', etag);
        if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'private, no-cache');
        if (etagMatches(reply.request.headers['if-none-match'], etag))
          return reply.code(304).send();
      }
      return html(reply).send(fillTemplate(template, values, true));
    },
    /** What the cache holds, for tests: keys and templates, never a filled page. */
    entries: (): [string, string][] =>
      [...templates.entries()].map(([k, t]) => [k, t.texts.join('')]),
  };
}

const digest = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 12);
