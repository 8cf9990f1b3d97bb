import { fold, words, type FoldMode } from './turkish-fold';

/**
 * One keyword or phrase of a rule. A trailing `*` makes the last word a prefix (`iade*` finds
 * `iadem`, `iadesi`: Turkish adds suffixes to words), otherwise words must match whole.
 */
export interface TermSpec {
  owner: string;
  term: string;
  mode: FoldMode;
}

interface CompiledTerm {
  owner: string;
  term: string;
  words: string[];
  lastIsPrefix: boolean;
}

export interface TermMatch {
  owner: string;
  term: string;
}

const PREFIX_KEY = 3;

/**
 * All rules' keywords compiled once into hash indexes keyed by the first word (or its first
 * letters for prefix terms), so matching a message is one pass over its words, whatever the
 * number of rules: never a regex per rule per message.
 */
export class TermIndex {
  private readonly exact: Record<FoldMode, Map<string, CompiledTerm[]>> = { strict: new Map(), loose: new Map() };
  private readonly prefix: Record<FoldMode, Map<string, CompiledTerm[]>> = { strict: new Map(), loose: new Map() };
  private readonly modes = new Set<FoldMode>();

  constructor(specs: TermSpec[]) {
    for (const spec of specs) {
      const raw = spec.term.trim();
      const lastIsPrefix = raw.endsWith('*');
      const ws = words(fold(lastIsPrefix ? raw.slice(0, -1) : raw, spec.mode));
      if (ws.length === 0) continue;
      const compiled: CompiledTerm = { owner: spec.owner, term: spec.term, words: ws, lastIsPrefix };
      this.modes.add(spec.mode);
      const first = ws[0]!;
      if (lastIsPrefix && ws.length === 1 && first.length >= PREFIX_KEY) {
        const key = first.slice(0, PREFIX_KEY);
        push(this.prefix[spec.mode], key, compiled);
      } else {
        push(this.exact[spec.mode], first, compiled);
      }
    }
  }

  /** Every (owner, term) found in `text`, each once. */
  match(text: string): TermMatch[] {
    const found = new Map<string, TermMatch>();
    for (const mode of this.modes) {
      const ws = words(fold(text, mode));
      for (let i = 0; i < ws.length; i++) {
        const w = ws[i]!;
        for (const t of this.exact[mode].get(w) ?? []) if (matchesAt(t, ws, i)) add(found, t);
        for (const t of this.prefix[mode].get(w.slice(0, PREFIX_KEY)) ?? []) if (w.startsWith(t.words[0]!)) add(found, t);
      }
    }
    return [...found.values()];
  }
}

function matchesAt(t: CompiledTerm, ws: string[], at: number): boolean {
  if (at + t.words.length > ws.length) return false;
  for (let j = 1; j < t.words.length; j++) {
    const expected = t.words[j]!;
    const actual = ws[at + j]!;
    const last = j === t.words.length - 1;
    if (last && t.lastIsPrefix ? !actual.startsWith(expected) : actual !== expected) return false;
  }
  return true;
}

function push(map: Map<string, CompiledTerm[]>, key: string, term: CompiledTerm) {
  const list = map.get(key);
  if (list) list.push(term);
  else map.set(key, [term]);
}

function add(found: Map<string, TermMatch>, t: CompiledTerm) {
  found.set(`${t.owner}\u0000${t.term}`, { owner: t.owner, term: t.term });
}
