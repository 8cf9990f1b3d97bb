import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { REPO_ROOT } from '@kanal/testing';

// The dashboard must only chart series the code really registers: every kanal_* name in a query
// is looked up in the TypeScript sources (prom-client `new Counter|Gauge|Histogram({ name })`),
// and every label a query filters or groups by must be one of that metric's labelNames.

interface Target {
  expr?: string;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query?: string | { query: string }; definition?: string }[] };
}

interface MetricDef {
  type: 'Counter' | 'Gauge' | 'Histogram' | 'Summary';
  labels: string[];
  file: string;
}

/** Labels every series carries: the registry's default `service` label, and `le` on histogram buckets. */
const IMPLICIT_LABELS = ['service'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) return [];
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Every metric the code defines, read from the real sources. */
function definedMetrics(files: string[]): Map<string, MetricDef> {
  const defs = new Map<string, MetricDef>();
  const pattern = /new (Counter|Gauge|Histogram|Summary)\(\{\s*name:\s*'(kanal_[a-z0-9_]+)'([\s\S]*?)\}\)/g;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(pattern)) {
      const labelList = /labelNames:\s*\[([^\]]*)\]/.exec(m[3]!)?.[1] ?? '';
      const labels = [...labelList.matchAll(/'([a-z_]+)'/g)].map((l) => l[1]!);
      defs.set(m[2]!, { type: m[1] as MetricDef['type'], labels, file });
    }
  }
  return defs;
}

function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

function queries(d: Dashboard): string[] {
  const exprs = allPanels(d.panels).flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));
  const vars = d.templating.list.flatMap((v) => [
    typeof v.query === 'string' ? v.query : (v.query?.query ?? ''),
    v.definition ?? '',
  ]);
  return [...exprs, ...vars].filter(Boolean);
}

/** Problems of one query against the defined metrics (empty when fine). */
function queryProblems(expr: string, defs: Map<string, MetricDef>): string[] {
  const problems: string[] = [];
  const used: MetricDef[] = [];
  for (const [name] of expr.matchAll(/\bkanal_[a-z0-9_]+/g)) {
    const hist = /^(.*)_(bucket|sum|count)$/.exec(name);
    const base = hist && defs.get(hist[1]!)?.type === 'Histogram' ? hist[1]! : name;
    const def = defs.get(base);
    if (!def) problems.push(`${name}: no metric of that name in the sources`);
    else used.push(def);
  }
  const allowed = new Set([
    ...IMPLICIT_LABELS,
    ...(/_bucket\b/.test(expr) ? ['le'] : []),
    ...used.flatMap((d) => d.labels),
  ]);
  const labels = [
    ...[...expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',')),
    ...[...expr.matchAll(/\{([^}]*)\}/g)].flatMap((m) => m[1]!.split(',').map((s) => s.split(/=~|!~|!=|=/)[0]!)),
    ...[...expr.matchAll(/label_values\([^,]+,\s*([a-z_]+)\)/g)].map((m) => m[1]!),
  ]
    .map((l) => l.trim())
    .filter(Boolean);
  for (const label of labels)
    if (!allowed.has(label))
      problems.push(
        `label "${label}" is not a label of ${used.map((d) => d.file).join(', ') || 'any metric'} in: ${expr}`,
      );
  return problems;
}

const dashboard = JSON.parse(
  readFileSync(join(REPO_ROOT, 'deploy', 'grafana', 'kanal-dashboard.json'), 'utf8'),
) as Dashboard;
const defs = definedMetrics(['libs', 'services', 'tools'].flatMap((d) => sourceFiles(join(REPO_ROOT, d))));
const exprs = queries(dashboard);

describe('deploy/grafana/kanal-dashboard.json', () => {
  it('finds the standard metrics in the sources (the grep itself works)', () => {
    for (const name of [
      'kanal_events_out_total',
      'kanal_consumer_lag',
      'kanal_dlq_records_total',
      'kanal_router_sla_breaches_total',
    ]) {
      expect(defs.has(name)).toBe(true);
    }
    expect(defs.get('kanal_router_first_response_seconds')).toMatchObject({
      type: 'Histogram',
      labels: ['queue', 'channel'],
    });
  });

  it('references only metrics and labels that exist in the TypeScript sources', () => {
    expect(exprs.length).toBeGreaterThan(20);
    expect(exprs.flatMap((e) => queryProblems(e, defs))).toEqual([]);
  });

  it('charts ingest per channel, lag per stage, DLQ rate, SLA breaches and first-response time per queue', () => {
    const has = (re: RegExp) => exprs.some((e) => re.test(e));
    expect(has(/kanal_events_out_total\{[^}]*topic=~?"[^"]*kanal\.inbound\.v1"/)).toBe(true);
    expect(has(/by \(service, type\) \(rate\(kanal_events_out_total/)).toBe(true);
    for (const connectorMetric of [
      'kanal_api_messages_total',
      'kanal_meta_webhooks_total',
      'kanal_email_messages_total',
      'kanal_whatsapp_upserts_total',
      'kanal_x_api_requests_total',
    ]) {
      expect({ connectorMetric, charted: has(new RegExp(`\\b${connectorMetric}\\b`)) }).toEqual({
        connectorMetric,
        charted: true,
      });
    }
    expect(has(/by \(service, topic\) \(kanal_consumer_lag/)).toBe(true);
    expect(has(/rate\(kanal_dlq_records_total/)).toBe(true);
    expect(has(/by \(queue\) \(increase\(kanal_router_sla_breaches_total/)).toBe(true);
    expect(
      has(/histogram_quantile\([^,]+, sum by \(le, queue\) \(rate\(kanal_router_first_response_seconds_bucket/),
    ).toBe(true);
  });

  it('is importable: unique panel ids, a Prometheus datasource variable, panels inside the 24-column grid', () => {
    expect(dashboard.uid).toBeTruthy();
    const panels = allPanels(dashboard.panels);
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(dashboard.templating.list.find((v) => v.name === 'datasource')?.type).toBe('datasource');
    for (const p of panels) {
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      if (p.type !== 'row') expect(p.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
    }
  });

  it('would report an unknown metric or label (the check can fail)', () => {
    expect(queryProblems('rate(kanal_events_out_totl[5m])', defs)).toHaveLength(1);
    expect(queryProblems('sum by (queue) (rate(kanal_dlq_records_total[5m]))', defs).join()).toMatch(/label "queue"/);
    expect(queryProblems('kanal_consumer_lag{partition="0"}', defs)).toEqual([]);
  });
});
