import { createContext, type VNode } from 'preact';
import { useContext } from 'preact/hooks';

// What a public page shows beside its own content that depends on the request: the cookie
// notice at the top, consented tags at the end, the GPC notice in the footer. The pages are
// built once at boot; renderPage hands these in per request (src/cookies/plugin.ts fills them).
export interface PageExtras {
  top?: VNode | null;
  end?: VNode | null;
  gpc?: boolean;
}

export const PageExtrasContext = createContext<PageExtras>({});

export function PageExtrasSlot({ at }: { at: 'top' | 'end' }) {
  return useContext(PageExtrasContext)[at] ?? null;
}

export const useGpcNotice = (): boolean => useContext(PageExtrasContext).gpc === true;

declare module 'fastify' {
  interface FastifyRequest {
    pageExtras: PageExtras | null;
  }
}
