import { z } from 'zod';

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `15m`, `1h`, `24h`, `2d` → milliseconds (a config file is read by people, not machines). */
export const durationSchema = z
  .string()
  .regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, 'must be a duration such as 90s, 15m, 1h or 2d')
  .transform((v) => {
    const [, amount, unit] = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(v)!;
    return Math.round(Number(amount) * UNITS[unit!]!);
  })
  .refine((ms) => ms > 0, 'must be longer than zero');
