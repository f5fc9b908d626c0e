import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PrivacySignals } from '../privacy/signals.js';
import { clickIdFields } from '../privacy/opt-out-effects.js';
import { campaignTags } from './fields.js';

// Campaign attribution across the click from a landing page to the form, with nothing stored in
// the browser: a page reached with campaign tags (/?utm_source=…) carries them in its links to
// /get-started, which puts them in the form's hidden fields, as a landing on the form itself
// does. No cookie, so no choice is needed and none is overridden; advertising click ids (gclid,
// msclkid) are carried only when the visitor allows advertising-related processing, never under
// Global Privacy Control or Do Not Track (docs/decisions/029-intake-per-user-type.md).

/** A tag value worth carrying: at most 300 characters, none of them a control character. */
const tagValue = (v: string) =>
  v.length > 0 && v.length <= 300 && ![...v].some((c) => c.charCodeAt(0) < 32 || c === '\u007f');

/** The campaign tags of a page address that may travel on to the form, as a query string. */
export function carriedCampaign(url: string, privacy: PrivacySignals): string | undefined {
  const q = url.indexOf('?');
  if (q < 0) return undefined;
  const params = new URLSearchParams(url.slice(q + 1));
  const clickIdsAllowed = !privacy.optedOut && privacy.choices.advertising !== 'denied';
  const out = new URLSearchParams();
  for (const tag of campaignTags) {
    const value = params.get(tag);
    if (!value || !tagValue(value)) continue;
    if ((clickIdFields as readonly string[]).includes(tag) && !clickIdsAllowed) continue;
    out.set(tag, value);
  }
  const text = out.toString();
  return text || undefined;
}

const formLink = /(<a\b[^>]*?\shref=")\/get-started(?:\?([^"#]*))?(#[^"]*)?(")/g;
const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

/** The page with every link to the form carrying the campaign (after its own parameters). */
export function withCampaignLinks(html: string, campaign: string): string {
  return html.replace(formLink, (_m, start: string, own: string | undefined, hash = '', end) => {
    const query = own ? `${own}&amp;${escapeAttr(campaign)}` : escapeAttr(campaign);
    return `${start}/get-started?${query}${hash}${end}`;
  });
}

/** onSend: public HTML pages reached with campaign tags get them in their links to the form. */
// Synchronous (onSend with `done`): it runs on every response, and an async hook costs a promise.
export function carryCampaign(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
  done: (err: Error | null, value?: unknown) => void,
): void {
  done(null, campaignLinked(request, reply, payload));
}

function campaignLinked(request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
  if (request.method !== 'GET' || reply.statusCode !== 200 || !request.url.includes('?'))
    return payload;
  if (request.url.startsWith('/console') || request.url.startsWith('/privacy-center'))
    return payload;
  if (!String(reply.getHeader('content-type') ?? '').startsWith('text/html')) return payload;
  // Only a page still in hand as HTML; a compressed or streamed body is left as it is.
  if (reply.hasHeader('content-encoding')) return payload;
  const text =
    typeof payload === 'string'
      ? payload
      : Buffer.isBuffer(payload)
        ? payload.toString('utf8')
        : undefined;
  if (text === undefined) return payload;
  const campaign = carriedCampaign(request.url, request.privacy);
  if (!campaign) return payload;
  return withCampaignLinks(text, campaign);
}
