import { IdentityError, normalizeIdentityValue, normalizeProviderPhone, type Identity } from '@kanal/contracts';

/**
 * The identities of one WhatsApp party, with what a library thought of them. A number WhatsApp
 * verified (`wa_id`, `from`, `recipient_id`) is the `phone` identity whenever it is a plausible
 * E.164 number, whatever libphonenumber's metadata says (`phoneUnverified` then); a value that is
 * not an identifier at all is left out (`identityFallback`), never a reason to lose the message.
 * A phone is never derived from a BSUID.
 */
export class WaIdentities {
  readonly list: Identity[] = [];
  phoneUnverified = false;
  identityFallback = false;

  phone(raw: string | undefined): this {
    if (raw === undefined || raw === '') return this;
    const phone = attempt(() => normalizeProviderPhone(raw));
    if (!phone) this.identityFallback = true;
    else {
      this.push({ type: 'phone', value: phone.value });
      if (!phone.valid) this.phoneUnverified = true;
    }
    return this;
  }

  bsuid(raw: string | undefined): this {
    if (raw === undefined || raw === '') return this;
    const value = attempt(() => normalizeIdentityValue('whatsapp-bsuid', raw));
    if (value) this.push({ type: 'whatsapp-bsuid', value });
    else this.identityFallback = true;
    return this;
  }

  get flags(): { phoneUnverified?: true; identityFallback?: true } {
    return {
      ...(this.phoneUnverified ? { phoneUnverified: true as const } : {}),
      ...(this.identityFallback ? { identityFallback: true as const } : {}),
    };
  }

  private push(identity: Identity): void {
    if (!this.list.some((i) => i.type === identity.type && i.value === identity.value)) this.list.push(identity);
  }
}

/**
 * The business's own number (`metadata.display_phone_number`, shown formatted at times:
 * `+1 555-010-0123`): digits only, kept when plausible, so the unifier can block it; whether
 * libphonenumber likes it does not matter for our own number.
 */
export function businessIdentities(display: string | undefined): { identities: Identity[]; fallback: boolean } {
  if (!display) return { identities: [], fallback: false };
  const phone = attempt(() => normalizeProviderPhone(display.replace(/\D/g, '')));
  return phone
    ? { identities: [{ type: 'phone', value: phone.value }], fallback: false }
    : { identities: [], fallback: true };
}

function attempt<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (error) {
    if (error instanceof IdentityError) return undefined;
    throw error;
  }
}
