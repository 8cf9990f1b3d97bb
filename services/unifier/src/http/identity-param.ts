import {
  assertStorableIdentifier,
  identitySchema,
  IdentityError,
  IDENTITY_TYPES,
  identityTypeSchema,
  normalizeIdentityValue,
  type Identity,
} from '@kanal/contracts';
import { HttpError } from '@kanal/http';

/** The longest identity value the contract stores (`identitySchema`): nothing longer can be found. */
const MAX_VALUE = identitySchema.shape.value.maxLength ?? 320;
/** RFC 5321 §4.5.3.1: a local part is at most 64 octets, a whole address at most 254. */
const MAX_EMAIL_OCTETS = 254;
const MAX_LOCAL_OCTETS = 64;

const invalidValue = (message: string) => new HttpError(400, 'IDENTITY.INVALID', message, { field: 'value' });

/**
 * `:type/:value` of `GET /v1/identities/{type}/{value}`, normalized as stored. Length limits come
 * first and cost O(1) or one pass over at most MAX_VALUE characters, so a hostile value (7,000
 * labels, a megabyte of digits) is refused before any parser or regex sees it; a NUL or an unpaired
 * surrogate is refused, never repaired (a repaired identifier could match someone else's).
 */
export function identityParam(params: { type?: unknown; value?: unknown }, defaultRegion: string): Identity {
  const type = identityTypeSchema.safeParse(params.type);
  if (!type.success)
    throw new HttpError(
      400,
      'UNIFIER.INVALID_IDENTITY_TYPE',
      `identity type must be one of ${IDENTITY_TYPES.join(', ')}`,
      {
        field: 'type',
      },
    );
  const raw = params.value;
  if (typeof raw !== 'string' || raw.length === 0) throw invalidValue('value is empty');
  if (raw.length > MAX_VALUE) throw invalidValue(`value is longer than ${MAX_VALUE} characters`);
  try {
    assertStorableIdentifier('value', raw);
  } catch (error) {
    if (error instanceof IdentityError) throw invalidValue(error.message);
    throw error;
  }
  if (type.data === 'email') checkEmailLength(raw);
  try {
    return { type: type.data, value: normalizeIdentityValue(type.data, raw, { defaultRegion }) };
  } catch (error) {
    if (error instanceof IdentityError) throw invalidValue(error.message);
    throw error;
  }
}

/** The RFC 5321 limits, in UTF-8 octets, on the address as given (a `mailto:` or `<…>` around it not counted). */
function checkEmailLength(raw: string): void {
  let address = raw.trim();
  if (address.slice(0, 7).toLowerCase() === 'mailto:') address = address.slice(7);
  if (address.startsWith('<') && address.endsWith('>')) address = address.slice(1, -1);
  if (Buffer.byteLength(address, 'utf8') > MAX_EMAIL_OCTETS)
    throw invalidValue(`an email address is at most ${MAX_EMAIL_OCTETS} octets (RFC 5321)`);
  const at = address.lastIndexOf('@');
  if (at > 0 && Buffer.byteLength(address.slice(0, at), 'utf8') > MAX_LOCAL_OCTETS)
    throw invalidValue(`the local part of an email address is at most ${MAX_LOCAL_OCTETS} octets (RFC 5321)`);
}
