import { DEFAULT_ROUTING_CONFIG } from '../config';
import { loadRoutingConfig, parseRoutingConfig, RoutingConfigError } from './load-routing-config';

const minimal = `
defaults: { queue: general }
queues:
  - { id: general, name: General }
`;

describe('routing config', () => {
  it('loads the shipped Turkish e-commerce default', () => {
    const cfg = loadRoutingConfig(DEFAULT_ROUTING_CONFIG);
    expect(cfg.queues.map((q) => q.id)).toEqual(['payments', 'delivery', 'returns', 'account-security', 'technical', 'general']);
    expect(cfg.sla.firstResponse.whatsapp).toBe(15 * 60_000);
    expect(cfg.calendars.istanbul?.timeZone).toBe('Europe/Istanbul');
  });

  it('applies defaults to a minimal file', () => {
    const cfg = parseRoutingConfig(minimal);
    expect(cfg.defaults.priority).toBe('P3');
    expect(cfg.surge).toEqual({ window: 600_000, threshold: 20 });
    expect(cfg.rules).toEqual([]);
  });

  it('names the field and line of an unknown queue', () => {
    const text = `${minimal}rules:\n  - id: r1\n    when: { keywords: [x] }\n    then: { queue: nowhere }\n`;
    expect(() => parseRoutingConfig(text, 'cfg.yaml')).toThrow(/cfg\.yaml: rules\.0\.then\.queue \(line 8\): unknown queue "nowhere"/);
  });

  it('rejects unknown fields, bad durations and bad time zones', () => {
    expect(() => parseRoutingConfig(`${minimal}surprise: 1\n`)).toThrow(RoutingConfigError);
    expect(() => parseRoutingConfig(`${minimal}sla: { firstResponse: { whatsapp: soon } }\n`)).toThrow(
      /sla\.firstResponse\.whatsapp \(line \d+\): must be a duration/,
    );
    expect(() => parseRoutingConfig(`${minimal}calendars: { x: { timeZone: Mars/Olympus, hours: {} } }\n`)).toThrow(
      /calendars\.x\.timeZone/,
    );
  });

  it('reports YAML syntax errors with a line', () => {
    expect(() => parseRoutingConfig('defaults: [\n', 'broken.yaml')).toThrow(/broken\.yaml line \d+/);
  });

  it('reports a missing file with its path', () => {
    expect(() => loadRoutingConfig('/nonexistent/router.yaml')).toThrow(/\/nonexistent\/router\.yaml: cannot read \(ENOENT\)/);
  });
});
