import type { z } from 'zod';
import { isStorableText } from '@kanal/contracts';

export const UNSTORABLE_MESSAGE = 'contains a NUL character or an unpaired UTF-16 surrogate';

/** A value being walked, linked to its parent: a path is built only for what is reported. */
interface Node {
  value: unknown;
  key?: string | number;
  parent?: Node;
}

const pathOf = (node: Node, last?: string): Array<string | number> => {
  const path: Array<string | number> = last === undefined ? [] : [last];
  for (let n: Node | undefined = node; n?.parent; n = n.parent) path.push(n.key!);
  return path.reverse();
};

/**
 * The path of every string (and object key) in `value` that Postgres cannot store: a NUL fails a
 * text column or jsonb with a 500, and an unpaired surrogate is silently turned into U+FFFD by the
 * driver, so an identifier would match a different row. Iterative and linear in the size of the
 * value, so deep nesting can neither overflow the stack nor cost quadratic time.
 */
export function unstorablePaths(value: unknown): Array<Array<string | number>> {
  const found: Array<Array<string | number>> = [];
  const stack: Node[] = [{ value }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const v = node.value;
    if (typeof v === 'string') {
      if (!isStorableText(v)) found.push(pathOf(node));
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], key: i, parent: node });
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, item] = entries[i]!;
        if (!isStorableText(key)) found.push(pathOf(node, key));
        else stack.push({ value: item, key, parent: node });
      }
    }
  }
  return found;
}

/**
 * `schema`, refusing any string of its output that Postgres cannot store, as an issue at that
 * string's path. One check for every field of every body (and cursor) at the edge, so a field
 * added later is covered without anyone remembering to.
 */
export function storable<T>(schema: z.ZodType<T>): z.ZodType<T> {
  return schema.superRefine((value, ctx) => {
    for (const path of unstorablePaths(value)) ctx.addIssue({ code: 'custom', path, message: UNSTORABLE_MESSAGE });
  });
}
