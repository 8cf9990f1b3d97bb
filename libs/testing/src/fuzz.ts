import fc from 'fast-check';

/*
 * Shared arbitraries of the bad-input campaign: hostile JSON values, mutations of a valid
 * payload (a field replaced by a wrong type, removed, or joined by an extra one) and raw bytes
 * that are not UTF-8. Every suite runs with a fixed seed so a failure reproduces in CI.
 */

/** Invalid UTF-8: a stray continuation byte, an overlong form, a UTF-16 surrogate, a cut sequence. */
const BAD_UTF8 = [
  [0x80],
  [0xff],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xe2, 0x82],
  [0xf4, 0x90, 0x80, 0x80],
  [0xc3, 0x28],
];

/** An array or object nested `depth` levels (built iteratively, so building never overflows). */
export function deepNest(depth: number, kind: 'array' | 'object' = 'array'): unknown {
  let value: unknown = kind === 'array' ? [] : {};
  for (let i = 0; i < depth; i++) value = kind === 'array' ? [value] : { a: value };
  return value;
}

/** Strings that tend to break parsers: huge, lone surrogates, control and bidi characters, NULs. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\uD800',
    '\uDFFF',
    '\u202E',
    '\uFEFF',
    'null',
    '{}',
    '__proto__',
    '9'.repeat(40),
    '-1',
    'NaN',
  ),
  fc.string({ unit: 'grapheme', maxLength: 16 }),
  fc.nat({ max: 300_000 }).map((n) => 'x'.repeat(n)),
);

/** Any value a JSON body can hold, weighted towards wrong types and extremes. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { depthSize: 'small' },
  fc.constantFrom(null, true, false, 0, -1, 1e308, -1e308, 2 ** 53, Number.MIN_VALUE, 1.5),
  fc.integer(),
  hostileString,
  fc.jsonValue({ maxDepth: 3 }),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 5 }),
  fc.nat({ max: 1_500 }).map((d) => deepNest(d, d % 2 ? 'array' : 'object')),
);

type Path = Array<string | number>;

/** Every path into `value`, down to 32 levels (inserted deep values are not walked). */
function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (prefix.length >= 32) return out;
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...prefix, i], out));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  return out;
}

type Mutation = { op: 'replace' | 'delete' | 'add' | 'duplicate'; pick: number; value: unknown; key: string };

/** Applies `m` in place (the root may be replaced, so the new root is returned). */
function applyMutation(root: unknown, mutation: Mutation): unknown {
  // fast-check reuses generated values while shrinking: insert a copy, never its own object.
  const m = { ...mutation, value: structuredClone(mutation.value) };
  const paths = pathsOf(root);
  const path = paths[m.pick % paths.length]!;
  if (path.length === 0) return m.op === 'replace' ? m.value : root;
  const parent = path.slice(0, -1).reduce<unknown>((node, k) => (node as Record<string | number, unknown>)[k], root) as
    Record<string, unknown> | unknown[];
  const last = path[path.length - 1]!;
  if (m.op === 'replace') (parent as Record<string | number, unknown>)[last] = m.value;
  else if (m.op === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last as string];
  } else if (m.op === 'add') {
    const target = (parent as Record<string | number, unknown>)[last];
    if (Array.isArray(target)) target.push(m.value);
    else if (target !== null && typeof target === 'object') (target as Record<string, unknown>)[m.key] = m.value;
    else (parent as Record<string | number, unknown>)[last] = { [m.key]: m.value };
  } else if (Array.isArray(parent)) {
    parent.push(...Array.from({ length: 1 + (m.pick % 50) }, () => parent[Number(last)]));
  }
  return root;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom('replace', 'replace', 'delete', 'add', 'duplicate'),
  pick: fc.nat(),
  value: hostileValue,
  key: fc.oneof(
    hostileString.filter((s) => s.length < 1_000),
    fc.constantFrom('__proto__', 'constructor', 'toString'),
  ),
});

/** `base` with one to four random mutations (wrong type, missing or extra field, repeated item). */
export function mutationOf(base: unknown): fc.Arbitrary<unknown> {
  return fc
    .array(mutation, { minLength: 1, maxLength: 4 })
    .map((ms) => ms.reduce((value, m) => applyMutation(value, m), structuredClone(base)));
}

/** Raw bytes of `base` with random byte edits: flips, cuts, invalid UTF-8 spliced in. */
export function mutatedBytes(base: Buffer): fc.Arbitrary<Buffer> {
  const edit = fc.record({
    at: fc.nat(),
    op: fc.constantFrom('flip', 'cut', 'bad-utf8', 'drop', 'repeat'),
    byte: fc.integer({ min: 0, max: 255 }),
    bad: fc.constantFrom(...BAD_UTF8),
  });
  return fc.array(edit, { minLength: 1, maxLength: 8 }).map((edits) => {
    let bytes = Buffer.from(base);
    for (const e of edits) {
      const at = bytes.length === 0 ? 0 : e.at % bytes.length;
      if (e.op === 'flip') bytes[at] = e.byte;
      else if (e.op === 'cut') bytes = bytes.subarray(0, at);
      else if (e.op === 'bad-utf8')
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(e.bad), bytes.subarray(at)]);
      else if (e.op === 'drop') bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + (e.byte % 16))]);
      else {
        const slice = bytes.subarray(at, at + 64);
        bytes = Buffer.concat([
          bytes.subarray(0, at),
          ...Array.from({ length: 1 + e.byte }, () => slice),
          bytes.subarray(at),
        ]);
      }
    }
    return Buffer.from(bytes);
  });
}

/** Arbitrary bytes: random, random with invalid UTF-8, or JSON text of a hostile value. */
export const hostileBytes: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)),
  fc.array(fc.constantFrom(...BAD_UTF8), { maxLength: 16 }).map((parts) => Buffer.from(parts.flat())),
  hostileValue.map((v) => Buffer.from(JSON.stringify(v) ?? '')),
  fc.constant(Buffer.alloc(0)),
);

/** Counts the inputs a suite tried and prints them as one line when asked. */
export function inputCounter(suite: string) {
  let tried = 0;
  return {
    tick: () => void tried++,
    get tried() {
      return tried;
    },
    report: () => console.log(`[bad-input] ${suite}: ${tried} inputs tried`),
  };
}

/**
 * Runs of a property: `base` in `npm test` (a seeded subset), times KANAL_FUZZ_SCALE in
 * `npm run test:fuzz`, so the same suites reach their full count without another copy.
 */
export function fuzzRuns(base: number): number {
  const raw = process.env.KANAL_FUZZ_SCALE;
  const scale = raw === undefined || raw === '' ? 1 : Number(raw);
  if (!Number.isFinite(scale) || scale <= 0) throw new Error(`KANAL_FUZZ_SCALE must be a positive number, got "${raw}"`);
  return Math.max(1, Math.round(base * scale));
}

/**
 * A property test's time budget: its runs are CPU-bound, so a loaded machine (CI beside a bench)
 * can take several times the idle figure; scaled like the runs.
 */
export function fuzzTimeout(idleMs = 60_000): number {
  return fuzzRuns(idleMs * 5);
}
