import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { routingConfigSchema, type RoutingConfig } from './routing-config-schema';

export const ROUTING_CONFIG_ERROR_CODE = 'ROUTER.CONFIG_INVALID';

/** A routing config file that cannot be used; the message names the file, field and line. */
export class RoutingConfigError extends Error {
  readonly code = ROUTING_CONFIG_ERROR_CODE;
  constructor(message: string) {
    super(message);
    this.name = 'RoutingConfigError';
  }
}

/** Reads and validates the YAML (or JSON: YAML is a superset) routing config once, at boot. */
export function loadRoutingConfig(path: string): RoutingConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RoutingConfigError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseRoutingConfig(text, path);
}

export function parseRoutingConfig(text: string, name = 'routing config'): RoutingConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line;
    throw new RoutingConfigError(`${name}${line ? ` line ${line}` : ''}: ${e.message.split('\n')[0]}`);
  }
  const result = routingConfigSchema.safeParse(doc.toJS());
  if (result.success) return result.data;
  const reasons = result.error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.map(String);
    // Point at the deepest node that exists (a missing field has no line of its own).
    let line: number | undefined;
    for (let n = path.length; n >= 0 && line === undefined; n--) {
      const node = doc.getIn(path.slice(0, n).map((p) => (/^\d+$/.test(p) ? Number(p) : p)), true) as
        | { range?: [number, number, number] }
        | undefined;
      if (node?.range) line = lineCounter.linePos(node.range[0]).line;
    }
    return `${path.join('.') || '(root)'}${line ? ` (line ${line})` : ''}: ${issue.message}`;
  });
  throw new RoutingConfigError(`${name}: ${reasons.join('; ')}`);
}
