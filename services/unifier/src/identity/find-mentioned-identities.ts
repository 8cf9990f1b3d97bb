import { findPhoneNumbersInText, type CountryCode } from 'libphonenumber-js/max';
import type { Identity } from '@kanal/contracts';

const EMAIL = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
/** Seven digits, possibly separated: shorter runs cannot be a phone number in any region. */
const DIGITS = /\d(?:[\s().\-/]{0,3}\d){6}/;

/**
 * Emails and phone numbers a customer wrote in the text ("e-postam ayse@example.com"). They are
 * suggestions for an agent, never automatic links: anyone can type anyone's address.
 */
export function findMentionedIdentities(text: string | undefined, defaultRegion: string): Identity[] {
  if (!text) return [];
  const slice = text.slice(0, 20_000);
  const found = new Map<string, Identity>();
  for (const m of slice.matchAll(EMAIL)) {
    const value = m[0].replace(/[A-Z]/g, (c) => c.toLowerCase()).replace(/\.$/, '');
    found.set(`email:${value}`, { type: 'email', value });
  }
  // The phone scan builds an error object per rejected candidate ("3 gündür"): skip texts without one.
  if (!DIGITS.test(slice)) return [...found.values()];
  for (const n of findPhoneNumbersInText(slice, defaultRegion as CountryCode)) {
    if (n.number.isValid()) found.set(`phone:${n.number.number}`, { type: 'phone', value: n.number.number });
  }
  return [...found.values()];
}
