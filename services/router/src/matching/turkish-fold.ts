/**
 * Turkish-aware text folding for keyword matching. `toLowerCase()` alone is wrong for Turkish:
 * `İ` becomes `i̇` (i + combining dot) and `I` becomes `i` instead of `ı`. We map the two dotted
 * and dotless capitals first, then lower-case everything else.
 */
export type FoldMode = 'strict' | 'loose';

const TURKISH_CAPITALS = /[İI]/g;
const CAPITAL_MAP: Record<string, string> = { İ: 'i', I: 'ı' };

/** Letters whose base form is what a customer typing without Turkish keys writes (`odeme` for `ödeme`). */
const LOOSE_MAP: Record<string, string> = { ı: 'i', ö: 'o', ü: 'u', ş: 's', ç: 'c', ğ: 'g', â: 'a', î: 'i', û: 'u' };
const LOOSE_CHARS = /[ıöüşçğâîû]/g;
const COMBINING_MARKS = /\p{M}+/gu;

/** Case folding only: `İADE` → `iade`, `IŞIK` → `ışık`; diacritics are kept. */
export function foldStrict(text: string): string {
  return text.normalize('NFC').replace(TURKISH_CAPITALS, (c) => CAPITAL_MAP[c]!).toLowerCase();
}

/**
 * Case and diacritic folding: `ÖDEME`, `ödeme` and `odeme` all become `odeme`. `ı` and `i` fold
 * together, so an English `BILLING` (folded to `bılling` by the Turkish rule) still finds `billing`.
 */
export function foldLoose(text: string): string {
  return foldStrict(text)
    .replace(LOOSE_CHARS, (c) => LOOSE_MAP[c]!)
    .normalize('NFD')
    .replace(COMBINING_MARKS, '')
    .normalize('NFC');
}

export function fold(text: string, mode: FoldMode): string {
  return mode === 'strict' ? foldStrict(text) : foldLoose(text);
}

const WORD = /[\p{L}\p{N}]+/gu;

/** Words of a folded text; word boundaries are any non-letter, non-digit character. */
export function words(folded: string): string[] {
  return folded.match(WORD) ?? [];
}
