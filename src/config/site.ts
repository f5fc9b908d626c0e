import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError } from './env.js';

// Branding and company facts: one file, so another practice can run this software as itself.
const serviceSchema = z.object({
  slug: z.string().regex(/^[a-z0-9-]+$/),
  title: z.string().min(1),
  summary: z.string().min(1),
  points: z.array(z.string().min(1)).default([]),
});

const titledText = z.object({ title: z.string().min(1), text: z.string().min(1) });

const siteSchema = z.object({
  company: z.object({
    name: z.string().min(1),
    legalName: z.string().min(1),
    shortName: z.string().min(1),
    tagline: z.string().min(1),
    domain: z.string().min(1),
    address: z.object({
      street: z.string().min(1),
      city: z.string().min(1),
      state: z.string().length(2),
      zip: z.string().min(5),
    }),
    phone: z.string().min(1),
    email: z.email(),
    privacyEmail: z.email(),
    hours: z.string().min(1),
    // A small mark shown beside the name in the header; decorative, so the name stays the text.
    logo: z
      .string()
      .regex(/^\/static\/[a-z0-9/_.-]+\.svg$/)
      .optional(),
  }),
  colours: z.object({
    primary: z.string().regex(/^#[0-9a-fA-F]{6}$/),
    primaryDark: z.string().regex(/^#[0-9a-fA-F]{6}$/),
    accent: z.string().regex(/^#[0-9a-fA-F]{6}$/),
  }),
  email: z.object({ from: z.string().min(3) }),
  sms: z.object({
    programName: z.string().min(1),
    frequency: z.string().min(1),
  }),
  // Page copy. Headings that name no company ("Our services") live in the templates; every
  // sentence about this company lives here.
  home: z.object({
    headline: z.string().min(1),
    intro: z.string().min(1),
    highlights: z.array(titledText),
    servicesIntro: z.string().min(1),
  }),
  services: z.array(serviceSchema).min(1),
  servicesPage: z.object({ intro: z.string().min(1) }),
  about: z.object({
    intro: z.string().min(1),
    paragraphs: z.array(z.string().min(1)).min(1),
    approach: z.array(titledText).default([]),
  }),
  partners: z.object({
    headline: z.string().min(1),
    intro: z.string().min(1),
    who: z.array(z.string().min(1)),
    benefits: z.array(titledText),
    steps: z.array(titledText).default([]),
    applyLabel: z.string().min(1),
  }),
  cta: z.object({ title: z.string().min(1), text: z.string().min(1), button: z.string().min(1) }),
  // /.well-known/security.txt (RFC 9116): where to report a vulnerability, and the policy for it.
  // Without it, reports go to the privacy email. Expires is the serving day plus expiresDays.
  security: z
    .object({
      contact: z.array(z.string().regex(/^(mailto:\S+@\S+|https:\/\/\S+|tel:\+?[0-9-]+)$/)).min(1),
      policy: z
        .string()
        .regex(/^(https:\/\/|\/)\S*$/)
        .optional(),
      expiresDays: z.number().int().min(1).max(365).default(180),
    })
    .optional(),
  // What the intake form tells a patient with a question about a bill (src/intake/views.tsx).
  patients: z
    .object({
      intro: z.string().min(1),
      can: z.array(z.string().min(1)).min(1),
      cannot: z.array(z.string().min(1)).min(1),
    })
    .default({
      intro:
        'We send bills on behalf of the medical practices we work for. We are not your doctor or your insurer.',
      can: [
        'explain the charges on a statement we sent for your practice',
        'tell you what your insurance has paid on it so far',
        'pass your question on to the practice that treated you',
      ],
      cannot: [
        'change what the practice charged, or decide what your insurance covers',
        'give medical advice or share your medical records through this website',
      ],
    }),
});

export type SiteConfig = z.infer<typeof siteSchema>;

const defaultPath = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../site.config.json',
);

export function loadSiteConfig(file: string = defaultPath): SiteConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`Cannot read site config ${file}: ${(err as Error).message}`);
  }
  const parsed = siteSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid site config ${file}:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

// The shipped site.config.json names no real place or number; another practice replaces them.
const placeholders: [test: (site: SiteConfig) => boolean, what: string][] = [
  [(s) => /\bExample Street\b/i.test(s.company.address.street), 'company.address.street'],
  [(s) => /^\D*\(?555\)?[\s.-]/.test(s.company.phone), 'company.phone'],
];

/**
 * The company facts still holding the shipped placeholders: the server warns at start and the
 * console shows a banner until they are replaced, so no site goes live with a fake address.
 */
export const placeholderFacts = (site: SiteConfig): string[] =>
  placeholders.filter(([test]) => test(site)).map(([, what]) => what);

/** What the server prints at start while placeholders remain; null once they are replaced. */
export function placeholderWarning(site: SiteConfig, file: string): string | null {
  const facts = placeholderFacts(site);
  if (facts.length === 0) return null;
  return `The site config ${file} still has the shipped placeholder ${facts.join(' and ')}: every public page shows them. Replace them with the company's own and restart.`;
}
