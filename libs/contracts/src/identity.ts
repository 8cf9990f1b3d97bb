import { domainToASCII, domainToUnicode } from 'node:url';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { z } from 'zod';

/** The only identifiers the unifier links customers through (docs/architecture.md#3-identities-and-the-unifier). */
export const IDENTITY_TYPES = [
  'phone',
  'email',
  'whatsapp-lid',
  'whatsapp-bsuid',
  'instagram',
  'messenger',
  'x',
  'webchat',
  'external',
] as const;
export const identityTypeSchema = z.enum(IDENTITY_TYPES);
export type IdentityType = z.infer<typeof identityTypeSchema>;

export const identitySchema = z.object({
  type: identityTypeSchema,
  value: z.string().min(1).max(320),
});
export type Identity = z.infer<typeof identitySchema>;

export const IDENTITY_ERROR_CODE = 'IDENTITY.INVALID';

/** An identifier that cannot be normalized; `field` names what was wrong for 400 answers and DLQ records. */
export class IdentityError extends Error {
  readonly code = IDENTITY_ERROR_CODE;
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'IdentityError';
  }
}

export interface NormalizeOptions {
  /** Region for national phone formats (`0532 123 45 67`); DEFAULT_PHONE_REGION, default TR. */
  defaultRegion?: string;
}

const DIGITS = /^\d{1,30}$/;
const SCOPED = /^([^:\s]{1,128}):([^\s]{1,256})$/;
const NAMESPACE = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** ASCII-only lower casing: `İ`/`I` in a mailbox name must not be changed by a locale rule. */
function asciiLower(value: string): string {
  return value.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/**
 * Returns the canonical value of an identity (docs/architecture.md#2-the-event-contract), or throws IdentityError. Idempotent:
 * normalizing a normalized value returns it unchanged.
 */
export function normalizeIdentityValue(type: IdentityType, raw: string, options: NormalizeOptions = {}): string {
  const value = raw.normalize('NFC').trim();
  switch (type) {
    case 'phone':
      return normalizePhone(value, options.defaultRegion ?? 'TR');
    case 'email':
      return normalizeEmail(value);
    case 'whatsapp-lid': {
      // Device-qualified LIDs (`123:7@lid`) name the same user as `123@lid`.
      const m = /^(\d{1,30})(?::\d+)?(?:@lid)?$/.exec(value);
      if (!m) throw new IdentityError(type, `"whatsapp-lid" must be <digits>@lid`);
      return `${m[1]}@lid`;
    }
    case 'x':
      if (!DIGITS.test(value)) throw new IdentityError(type, `"x" must be the numeric user id`);
      return value;
    case 'whatsapp-bsuid':
      if (!value || /\s/.test(value) || value.length > 256)
        throw new IdentityError(type, `"whatsapp-bsuid" is empty or has blanks`);
      return value;
    case 'instagram':
    case 'messenger': {
      const m = SCOPED.exec(value);
      if (!m || !DIGITS.test(m[1]!) || !DIGITS.test(m[2]!)) {
        throw new IdentityError(
          type,
          `"${type}" must be <${type === 'instagram' ? 'igAccountId>:<igsid' : 'pageId>:<psid'}> (digits)`,
        );
      }
      return value;
    }
    case 'webchat': {
      if (!SCOPED.test(value)) throw new IdentityError(type, `"webchat" must be <accountId>:<visitorId>`);
      return value;
    }
    case 'external': {
      const m = SCOPED.exec(value);
      const namespace = m ? asciiLower(m[1]!) : '';
      if (!m || !NAMESPACE.test(namespace)) {
        throw new IdentityError(type, `"external" must be <namespace>:<id> (namespace: a-z, 0-9, ".", "_", "-")`);
      }
      return `${namespace}:${m[2]}`;
    }
  }
}

/** A dot-atom local part (RFC 5322/6531: any non-blank, non-special characters) or a quoted string. */
const MAX_EMAIL_OCTETS = 254;
const MAX_LOCAL_OCTETS = 64;
const DOT_ATOM = /^[^\s@"(),.:;<>[\\\]]+(?:\.[^\s@"(),.:;<>[\\\]]+)*$/;
const QUOTED = /^"(?:[^"\\\r\n]|\\.){1,62}"$/;

/**
 * `local@domain`, with what real mail carries: quoted local parts (`"ayse yilmaz"@example.com`),
 * IDN domains in Unicode or punycode (one canonical form: IDNA's lower-cased Unicode, so
 * `ÖRNEK.com`, `örnek.com` and `xn--rnek-4qa.com` are one address), upper case anywhere. The
 * local part is lower-cased in ASCII only: a locale rule would turn `İ` into two characters.
 */
function normalizeEmail(input: string): string {
  const value = input
    .replace(/^mailto:/i, '')
    .replace(/^<(.*)>$/s, '$1')
    .trim();
  const at = value.lastIndexOf('@');
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  // RFC 5321 §4.5.3.1 limits, in UTF-8 octets (RFC 6531 keeps them for Unicode addresses): the
  // unifier's lookups apply the same, so every address stored can be found.
  if (
    at <= 0 ||
    Buffer.byteLength(value) > MAX_EMAIL_OCTETS ||
    Buffer.byteLength(local) > MAX_LOCAL_OCTETS ||
    !(DOT_ATOM.test(local) || QUOTED.test(local))
  ) {
    throw new IdentityError('email', `"email" is not an email address`);
  }
  return `${asciiLower(local)}@${canonicalDomain(domain)}`;
}

function canonicalDomain(domain: string): string {
  if (/^\[[0-9A-Fa-f:.]{2,45}\]$/.test(domain)) return asciiLower(domain);
  const ascii = domain.length <= 255 ? domainToASCII(domain) : '';
  const labels = ascii.split('.');
  if (!ascii || labels.length < 2 || labels.some((l) => !/^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/.test(l))) {
    throw new IdentityError('email', `"email" has no valid domain`);
  }
  return domainToUnicode(ascii);
}

/** A provider-verified number: country code + 4–14 digits, no leading zero (E.164 allows 15 digits). */
const PLAUSIBLE_E164 = /^[1-9]\d{4,14}$/;

export interface ProviderPhone {
  /** `+<digits>`, or libphonenumber's E.164 form when it calls the number valid (the same digits). */
  value: string;
  /** False when libphonenumber's metadata calls the number invalid: a quality signal, never a gate. */
  valid: boolean;
}

/**
 * A phone number the provider has verified (WhatsApp `wa_id`, a Baileys PN JID): it is the
 * customer's `phone` identity whenever it is a plausible E.164 number, whatever the phone
 * library's metadata thinks of it (new ranges, reserved/test ranges, Brazilian mobiles without
 * the ninth digit, plans that changed after the metadata was built). Numbers a person typed use
 * `normalizeIdentityValue('phone', ...)`, which stays strict. Throws IdentityError only when the
 * value is not a number at all.
 */
export function normalizeProviderPhone(raw: string): ProviderPhone {
  const digits = raw
    .normalize('NFC')
    .trim()
    .replace(/^\+/, '')
    .replace(/[\s\-\u00a0]/g, '');
  if (!PLAUSIBLE_E164.test(digits)) throw new IdentityError('phone', `"phone" is not a plausible E.164 number`);
  const key = `verified|${digits}`;
  const cached = providerPhoneCache.get(key);
  if (cached) return cached;
  const parsed = parsePhoneNumberFromString(`+${digits}`);
  const phone = { value: `+${digits}`, valid: parsed?.isValid() === true && parsed.number === `+${digits}` };
  if (providerPhoneCache.size >= PHONE_CACHE_SIZE) providerPhoneCache.delete(providerPhoneCache.keys().next().value!);
  providerPhoneCache.set(key, phone);
  return phone;
}

const providerPhoneCache = new Map<string, ProviderPhone>();

/**
 * Valid numbers seen recently, by region and cleaned input. Parsing against the full metadata is
 * the costliest step of a webhook, and returning customers send the same number again and again.
 * Bounded: the oldest entry goes when it is full (insertion order of a Map).
 */
const phoneCache = new Map<string, string>();
const PHONE_CACHE_SIZE = 10_000;

function normalizePhone(value: string, region: string): string {
  // `00` international prefix and stray punctuation are common in CRM exports.
  const cleaned = value.replace(/^00(?=[1-9])/, '+').replace(/[\s().\-\u00a0]/g, '');
  if (!/^\+?\d{4,17}$/.test(cleaned)) throw new IdentityError('phone', `"phone" is not a phone number`);
  const key = `${region}|${cleaned}`;
  const cached = phoneCache.get(key);
  if (cached) return cached;
  const parsed = parsePhoneNumberFromString(cleaned, region.toUpperCase() as CountryCode);
  if (!parsed || !parsed.isValid())
    throw new IdentityError('phone', `"phone" is not a valid number (region ${region})`);
  if (phoneCache.size >= PHONE_CACHE_SIZE) phoneCache.delete(phoneCache.keys().next().value!);
  phoneCache.set(key, parsed.number);
  return parsed.number;
}

export function normalizeIdentity(
  identity: { type: IdentityType; value: string },
  options?: NormalizeOptions,
): Identity {
  return { type: identity.type, value: normalizeIdentityValue(identity.type, identity.value, options) };
}

/** `type:value`, the form used in config lists and logs of non-PII identity types. */
export function identityKey(identity: Identity): string {
  return `${identity.type}:${identity.value}`;
}
