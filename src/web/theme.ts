import { createHash } from 'node:crypto';
import type { SiteConfig } from '../config/site.js';

// The site config picks the brand colours; this file makes sure whatever it picks stays
// readable. Text colours that sit on a brand colour are chosen here by WCAG contrast, so a
// practice with a light primary colour still gets AA-compliant buttons and links.

const DARK = '#1b1f24';
const LIGHT = '#ffffff';

function luminance(hex: string): number {
  const channel = (i: number) => {
    const v = parseInt(hex.slice(i, i + 2), 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** WCAG 2.1 contrast ratio of two #rrggbb colours, from 1 to 21. */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** White or near-black, whichever reads better on the given background. */
export function textOn(background: string): string {
  return contrast(background, LIGHT) >= contrast(background, DARK) ? LIGHT : DARK;
}

/** The first brand colour that passes 4.5:1 as text on white, else the body text colour. */
function linkColour(candidates: string[]): string {
  return candidates.find((c) => contrast(c, LIGHT) >= 4.5) ?? DARK;
}

export function themeCss(colours: SiteConfig['colours']): string {
  const vars: [string, string][] = [
    ['--primary', colours.primary],
    ['--primary-dark', colours.primaryDark],
    ['--accent', colours.accent],
    ['--on-primary', textOn(colours.primary)],
    ['--on-primary-dark', textOn(colours.primaryDark)],
    ['--on-accent', textOn(colours.accent)],
    ['--link', linkColour([colours.primary, colours.primaryDark])],
  ];
  return `:root {\n${vars.map(([k, v]) => `  ${k}: ${v};`).join('\n')}\n}\n`;
}

/** The stylesheet with a strong validator, computed once: the colours only change on restart. */
export function themeAsset(colours: SiteConfig['colours']): { css: string; etag: string } {
  const css = themeCss(colours);
  const etag = `"${createHash('sha256').update(css).digest('base64url').slice(0, 16)}"`;
  return { css, etag };
}
