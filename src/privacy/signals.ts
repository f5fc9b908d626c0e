import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { consentStands, policyVersionNow } from './consent.js';

// What the visitor allows, answered once per request and in one place: the opt-out signals the
// browser sends (Global Privacy Control, Do Not Track) and the cookie choices it stored. The
// collector, the tags, the cookie notice, intake and the Privacy Center all ask `request.privacy`
// and none reads the headers or the choice cookie itself, so "what does GPC mean" has one answer
// (docs/decisions/021-privacy-signals.md). Nothing is computed for a request that does not ask.

export const CHOICES_COOKIE = 'spmb_choices';
const YEAR_S = 365 * 24 * 3600;

/** The categories a visitor chooses about; strictly necessary cookies need no choice. */
export type ChoiceCategory = 'analytics' | 'advertising';

export interface BrowserChoices {
  analytics?: 'granted' | 'denied';
  advertising?: 'granted' | 'denied';
  /** The policy version the choice was made under; a later material change asks again. */
  version?: string;
}

/**
 * The choices in a choice cookie. A grant made under a policy version that a material change
 * has since replaced no longer stands: it reads as "not chosen", so the notice asks again.
 * Refusals stand whatever the version: they can only reduce what we do.
 */
export function readChoices(raw: string | undefined): BrowserChoices {
  if (!raw) return {};
  const out: BrowserChoices = {};
  for (const part of raw.split('.')) {
    const [k, v] = part.split(':');
    const val = v === 'g' ? 'granted' : v === 'd' ? 'denied' : undefined;
    if (val && k === 'a') out.analytics = val;
    if (val && k === 'd') out.advertising = val;
    // Versions are written with '_' for '.', the separator of the parts.
    if (k === 'v' && v && /^[0-9_]{1,12}$/.test(v)) out.version = v.replace(/_/g, '.');
  }
  const stands = consentStands({ granted: 1, policy_version: out.version ?? null });
  if (!stands && out.analytics === 'granted') delete out.analytics;
  if (!stands && out.advertising === 'granted') delete out.advertising;
  return out;
}

/** Writes the choices, stamped with the policy version in force now. */
export function writeChoices(reply: FastifyReply, choices: BrowserChoices, secure: boolean): void {
  const code = (v: string | undefined) => (v === 'granted' ? 'g' : 'd');
  const parts = [
    choices.analytics ? `a:${code(choices.analytics)}` : '',
    choices.advertising ? `d:${code(choices.advertising)}` : '',
    `v:${policyVersionNow().replace(/\./g, '_')}`,
  ].filter(Boolean);
  reply.setCookie(CHOICES_COOKIE, parts.join('.'), {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure,
    maxAge: YEAR_S,
  });
  // The rest of this request sees what was just decided.
  reply.request.privacy.choose(choices);
}

/** What a request says about the visitor's privacy, and what it therefore allows. */
export interface PrivacySignals {
  /** The request carried `Sec-GPC: 1`: an opt-out of sale, sharing and advertising. */
  readonly gpc: boolean;
  /** The request carried `DNT: 1`. */
  readonly dnt: boolean;
  /** Either signal: no identifier of this browser is kept, whatever its choices say. */
  readonly optedOut: boolean;
  /** The choices stored in this browser that still stand. */
  readonly choices: BrowserChoices;
  /** A choice is still to be made: either category has none that stands. */
  readonly undecided: boolean;
  /**
   * Whether consent-gated processing of this category may run for this request: the visitor
   * granted it and sends no opt-out signal. The one answer every consumer uses.
   */
  allows(category: ChoiceCategory): boolean;
  /** A choice made during this request (a form, the GPC signal applied): later readers see it. */
  choose(next: BrowserChoices): void;
}

interface SignalSource {
  headers: FastifyRequest['headers'];
  cookies: FastifyRequest['cookies'];
}

/** Each part is read on first use and kept: asking twice costs nothing, never asking costs nothing. */
class RequestSignals implements PrivacySignals {
  #gpc: boolean | undefined;
  #dnt: boolean | undefined;
  #choices: BrowserChoices | undefined;
  constructor(private readonly source: SignalSource) {}

  get gpc(): boolean {
    return (this.#gpc ??= this.source.headers['sec-gpc'] === '1');
  }
  get dnt(): boolean {
    return (this.#dnt ??= this.source.headers.dnt === '1');
  }
  get optedOut(): boolean {
    return this.gpc || this.dnt;
  }
  get choices(): BrowserChoices {
    return (this.#choices ??= readChoices(this.source.cookies?.[CHOICES_COOKIE]));
  }
  get undecided(): boolean {
    return !this.choices.analytics || !this.choices.advertising;
  }
  allows(category: ChoiceCategory): boolean {
    return !this.optedOut && this.choices[category] === 'granted';
  }
  choose(next: BrowserChoices): void {
    this.#choices = next;
  }
}

/** The signals of a request, for code that holds its headers and cookies (and for tests). */
export const signalsOf = (source: SignalSource): PrivacySignals => new RequestSignals(source);

const kSignals = Symbol('privacySignals');

declare module 'fastify' {
  interface FastifyRequest {
    /** What this visitor allows (src/privacy/signals.ts), computed when first asked. */
    readonly privacy: PrivacySignals;
    [kSignals]: PrivacySignals | null;
  }
}

/**
 * `request.privacy`: a getter, not a hook, so a request that never asks (an asset, a probe)
 * pays nothing. Registered before anything that reads cookies' choices or the signals.
 */
export const privacySignalsPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorateRequest(kSignals, null);
    app.decorateRequest('privacy', {
      getter(this: FastifyRequest): PrivacySignals {
        return (this[kSignals] ??= new RequestSignals(this));
      },
    });
  },
  { name: 'privacy-signals' },
);
