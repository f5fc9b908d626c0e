import { render } from 'preact-render-to-string';
import { describe, expect, it } from 'vitest';
import type { StaffUser } from '../accounts/service.js';
import { ConsoleLayout } from '../console/layout.js';
import { loadSiteConfig, placeholderFacts, placeholderWarning, type SiteConfig } from './site.js';

const shipped = loadSiteConfig();
const replaced = (): SiteConfig => ({
  ...shipped,
  company: {
    ...shipped.company,
    address: { ...shipped.company.address, street: '2400 Elm Street, Suite 310' },
    phone: '(214) 555-0147',
  },
});

describe('placeholder company facts', () => {
  it('are found in the shipped site config, address and phone', () => {
    expect(placeholderFacts(shipped)).toEqual(['company.address.street', 'company.phone']);
  });

  it('are gone once replaced, even where 555 appears later in a real number', () => {
    expect(placeholderFacts(replaced())).toEqual([]);
    expect(placeholderWarning(replaced(), 'site.config.json')).toBeNull();
    expect(placeholderWarning(shipped, 'site.config.json')).toBe(
      "The site config site.config.json still has the shipped placeholder company.address.street and company.phone: every public page shows them. Replace them with the company's own and restart.",
    );
    const phoneOnly = replaced();
    phoneOnly.company.phone = '555-010-0100';
    expect(placeholderFacts(phoneOnly)).toEqual(['company.phone']);
  });

  it('put a banner on every signed-in console page until replaced', () => {
    const staff = { id: 's1', email: 'a@example.test', role: 'admin' } as StaffUser;
    const page = (site: SiteConfig) =>
      render(ConsoleLayout({ site, title: 'Leads', staff, children: 'x' }));
    expect(page(shipped)).toContain('the example street address and phone number shipped');
    expect(page(replaced())).not.toContain('example street address');
    // Not on the sign-in page: whoever reads it may not be staff yet.
    expect(
      render(ConsoleLayout({ site: shipped, title: 'Sign in', staff: null, children: 'x' })),
    ).not.toContain('example street address');
  });
});
