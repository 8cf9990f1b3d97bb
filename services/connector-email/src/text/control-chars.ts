/**
 * Control characters (a NUL from a broken decode, a stray BEL) mean nothing to a reader, and a NUL
 * makes every Postgres text column downstream (the thread index, the unifier's history) reject
 * the row. Built from code points: a literal control character in a pattern hides what it matches.
 */
const range = (from: number, to: number) => `${String.fromCharCode(from)}-${String.fromCharCode(to)}`;
// All C0 controls and DEL except tab, line feed and carriage return.
const CONTROLS = new RegExp(
  `[${range(0x00, 0x08)}${range(0x0b, 0x0c)}${range(0x0e, 0x1f)}${String.fromCharCode(0x7f)}]`,
  'g',
);
const ANY_CONTROL = new RegExp(`[${range(0x00, 0x1f)}${String.fromCharCode(0x7f)}]`, 'g');

/** Drops controls, keeps line structure (bodies, header values before unfolding). */
export function dropControls(text: string): string {
  return text.replace(CONTROLS, '');
}

/** One-line values (display names): every control, line breaks included, becomes a blank. */
export function blankControls(text: string): string {
  return text.replace(ANY_CONTROL, ' ');
}
