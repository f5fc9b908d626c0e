import { createContext, type VNode } from 'preact';
import { useContext } from 'preact/hooks';

// What a public page shows beside its own content that depends on the request: the cookie
// notice at the top, consented tags at the end, the GPC notice in the footer. The pages are
// built once at boot; renderPage hands these in per request (src/cookies/plugin.ts fills them).
export interface PageExtras {
  /** A part, or what builds it: built only when a page is rendered, not when served cached. */
  top?: VNode | (() => VNode) | null;
  end?: VNode | (() => VNode) | null;
  gpc?: boolean;
  /**
   * Everything the parts depend on, as a cache key (src/web/render.ts): extras without one are
   * rendered for their request alone. It must name no visitor's data: such values are slots.
   */
  key?: string;
  /** The values of the parts' slots, this request's own. */
  values?: Readonly<Record<string, string>>;
}

export const PageExtrasContext = createContext<PageExtras>({});

/** The site's public origin (BASE_URL) for absolute links: canonical, Open Graph, JSON-LD. */
export const SiteOriginContext = createContext<string | null>(null);

export function PageExtrasSlot({ at }: { at: 'top' | 'end' }) {
  const part = useContext(PageExtrasContext)[at];
  return typeof part === 'function' ? part() : (part ?? null);
}

export const useGpcNotice = (): boolean => useContext(PageExtrasContext).gpc === true;

declare module 'fastify' {
  interface FastifyRequest {
    pageExtras: PageExtras | null;
  }
}
