import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { z } from 'zod';

/** The only identifiers the unifier links customers through (DESIGN §2, "Identity types"). */
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
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;
const SCOPED = /^([^:\s]{1,128}):([^\s]{1,256})$/;
const NAMESPACE = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** ASCII-only lower casing: `İ`/`I` in a mailbox name must not be changed by a locale rule. */
function asciiLower(value: string): string {
  return value.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/**
 * Returns the canonical value of an identity (DESIGN §2), or throws IdentityError. Idempotent:
 * normalizing a normalized value returns it unchanged.
 */
export function normalizeIdentityValue(type: IdentityType, raw: string, options: NormalizeOptions = {}): string {
  const value = raw.normalize('NFC').trim();
  switch (type) {
    case 'phone':
      return normalizePhone(value, options.defaultRegion ?? 'TR');
    case 'email': {
      const email = asciiLower(value.replace(/^mailto:/i, '').replace(/^<(.*)>$/, '$1').trim());
      if (!EMAIL.test(email) || email.length > 320) throw new IdentityError(type, `"email" is not an email address`);
      return email;
    }
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
      if (!value || /\s/.test(value) || value.length > 256) throw new IdentityError(type, `"whatsapp-bsuid" is empty or has blanks`);
      return value;
    case 'instagram':
    case 'messenger': {
      const m = SCOPED.exec(value);
      if (!m || !DIGITS.test(m[1]!) || !DIGITS.test(m[2]!)) {
        throw new IdentityError(type, `"${type}" must be <${type === 'instagram' ? 'igAccountId>:<igsid' : 'pageId>:<psid'}> (digits)`);
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
  if (!parsed || !parsed.isValid()) throw new IdentityError('phone', `"phone" is not a valid number (region ${region})`);
  if (phoneCache.size >= PHONE_CACHE_SIZE) phoneCache.delete(phoneCache.keys().next().value!);
  phoneCache.set(key, parsed.number);
  return parsed.number;
}

export function normalizeIdentity(identity: { type: IdentityType; value: string }, options?: NormalizeOptions): Identity {
  return { type: identity.type, value: normalizeIdentityValue(identity.type, identity.value, options) };
}

/** `type:value`, the form used in config lists and logs of non-PII identity types. */
export function identityKey(identity: Identity): string {
  return `${identity.type}:${identity.value}`;
}
