import { parsePhoneNumberFromString } from 'libphonenumber-js';

// One form of a phone number for everything that stores or looks one up: intake and the Privacy
// Center keep it, and the suppression list indexes it, in E.164. In the kernel, so an opt-out
// keyed to "(214) 555-0142" finds the "+12145550142" a form stored, without the kernel reading
// a capability's fields.

const nanpCountries = new Set(['US', 'PR', 'VI', 'GU', 'AS', 'MP']);

/** Any common US format in, E.164 out; undefined when it is not a real US number. */
export function toE164(input: string): string | undefined {
  const parsed = parsePhoneNumberFromString(input, 'US');
  if (!parsed?.isValid() || !parsed.country || !nanpCountries.has(parsed.country)) return undefined;
  return parsed.number;
}
