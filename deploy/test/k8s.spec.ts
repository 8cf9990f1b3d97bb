import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import type { z } from 'zod';
import { parseConfig } from '@kanal/config';
import { topicEnvSchema } from '@kanal/kafka';
import { REPO_ROOT } from '@kanal/testing';
import {
  AUTOSCALED,
  CLUSTER_REQUIRED,
  CONSUMERS,
  type Container,
  PORTS,
  type Resource,
  SINGLETONS,
  type Workload,
  configMapProblems,
  containerProblems,
  K8S_DIR,
  loadManifests,
  matches,
  podSpecOf,
  requiredVariables,
  rootContainers,
  resolveEnv,
  serviceOf,
} from './k8s-manifests';

// No cluster runs here: the manifests in deploy/k8s are parsed and checked for structure, and each
// Deployment's environment (ConfigMaps + sample values for its Secret references) is run through
// the service's own config schema, so a renamed or newly required variable fails this test.

const manifests = loadManifests(K8S_DIR);
const resources = manifests.map((m) => m.resource);
const ofKind = <T = Resource>(kind: string) => resources.filter((r) => r.kind === kind) as unknown as T[];
const deployments = ofKind<Workload>('Deployment');
const configMaps = new Map(ofKind('ConfigMap').map((r) => [r.metadata.name, (r.data ?? {}) as Record<string, string>]));
const services = ofKind('Service');
const pdbs = ofKind('PodDisruptionBudget');
const hpas = ofKind('HorizontalPodAutoscaler');
const jobs = ofKind<Workload>('Job');
const serviceDirs = readdirSync(join(REPO_ROOT, 'services'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(REPO_ROOT, 'services', d.name, 'src', 'config.ts')))
  .map((d) => d.name);
const deploymentNames = deployments.map((d) => d.metadata.name);
const mainContainer = (d: Workload) => d.spec.template.spec.containers[0]!;
const partitions = Number(configMaps.get('topic-init-config')?.KAFKA_TOPIC_PARTITIONS ?? 6);
const readme = readFileSync(join(K8S_DIR, 'README.md'), 'utf8');

const schemas = new Map<string, z.ZodType>();
beforeAll(async () => {
  for (const name of serviceDirs) {
    // Computed path: the test reads each service's real schema without a static cross-project import.
    const mod = (await import(join(REPO_ROOT, 'services', name, 'src', 'config.ts'))) as { configSchema: z.ZodType };
    schemas.set(name, mod.configSchema);
  }
});

describe('deploy/k8s manifests', () => {
  it('parse, and every resource has apiVersion, kind and a name; names are unique per kind', () => {
    expect(resources.length).toBeGreaterThan(20);
    for (const { file, resource } of manifests) {
      expect({
        file,
        apiVersion: typeof resource.apiVersion,
        kind: typeof resource.kind,
        name: typeof resource.metadata?.name,
      }).toEqual({
        file,
        apiVersion: 'string',
        kind: 'string',
        name: 'string',
      });
    }
    const keys = resources.map((r) => `${r.kind}/${r.metadata.name}`);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  });

  it('kustomization.yaml lists exactly the manifest files and every image', () => {
    const kustomization = parse(readFileSync(join(K8S_DIR, 'kustomization.yaml'), 'utf8')) as {
      kind: string;
      resources: string[];
      images?: { name: string }[];
    };
    expect(kustomization.kind).toBe('Kustomization');
    const files = [...new Set(manifests.map((m) => m.file))].sort();
    expect([...kustomization.resources].sort()).toEqual(files);
    const images = [...deployments, ...jobs].flatMap((w) =>
      w.spec.template.spec.containers.map((c) => c.image.split(':')[0]),
    );
    expect(kustomization.images?.map((i) => i.name).sort()).toEqual([...new Set(images)].sort());
  });

  it('has no literal secrets: credentials only through secretKeyRef/secretRef, none in ConfigMaps', () => {
    expect(configMapProblems(configMaps)).toEqual([]);
    expect(ofKind('Secret').map((r) => r.metadata.name)).toEqual([]);
  });

  it('documents every referenced Secret and key in README.md', () => {
    const refs = new Set<string>();
    for (const w of [...deployments, ...jobs]) {
      for (const c of w.spec.template.spec.containers) {
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef;
          if (ref) refs.add(`${ref.name}|${ref.key}`);
        }
        for (const src of c.envFrom ?? []) if (src.secretRef) refs.add(`${src.secretRef.name}|`);
      }
    }
    expect(refs.size).toBeGreaterThan(0);
    const undocumented = [...refs].filter((ref) => {
      const [name, key] = ref.split('|');
      return !readme
        .split('\n')
        .some(
          (line) => line.replace(/\s+/g, ' ').startsWith(`| \`${name}\` |`) && (!key || line.includes(`\`${key}\``)),
        );
    });
    expect(undocumented).toEqual([]);
  });

  it('runs the topic-init Job with the kanal CLI image as non-root', () => {
    const job = jobs.find((j) => j.metadata.name === 'topic-init');
    expect(job).toBeDefined();
    const c = mainContainer(job!);
    expect(c.image).toMatch(/^kanal\/kanal(:|$)/);
    expect(c.command).toEqual(['node', 'dist/main.mjs', 'topics', 'create']);
    expect(containerProblems(job!, configMaps)).toEqual([]);
    const { env, missingSamples } = resolveEnv(c, configMaps, { withOptional: true });
    expect(missingSamples).toEqual([]);
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['KAFKA_BROKERS', 'KAFKA_TOPIC_PARTITIONS']));
    expect(topicEnvSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''))).success).toBe(
      true,
    );
  });

  it('sets runAsNonRoot: true for every container of every resource that runs pods, whatever its kind', () => {
    const podResources = resources.filter((r) => podSpecOf(r));
    // Only Deployments and Jobs run pods today; both are checked in full below and above.
    expect([...new Set(podResources.map((r) => r.kind))].sort()).toEqual(['Deployment', 'Job']);
    expect(podResources.length).toBe(deployments.length + jobs.length);
    expect(rootContainers(resources)).toEqual([]);
  });

  it.each(serviceDirs)('%s has a Deployment, Service and PodDisruptionBudget', (name) => {
    const own = deployments.filter((d) => serviceOf(mainContainer(d)) === name);
    expect(own.length).toBeGreaterThanOrEqual(1);
    for (const d of own) {
      const podLabels = d.spec.template.metadata.labels;
      expect(matches(d.spec.selector?.matchLabels, podLabels)).toBe(true);
      const c = mainContainer(d);
      expect(c.image).toBe(`kanal/${name}:latest`);
      const port = c.ports?.find((p) => p.name === 'http')?.containerPort;
      expect(port).toBe(PORTS[name]);

      const svc = services.filter((s) => matches(s.spec?.selector, podLabels));
      expect(svc).toHaveLength(1);
      const svcPort = (svc[0]!.spec.ports as { port: number; targetPort: number | string }[])[0]!;
      expect(svcPort.port).toBe(port);
      expect([port, 'http']).toContain(svcPort.targetPort);

      const pdb = pdbs.filter((p) => matches(p.spec?.selector?.matchLabels, podLabels));
      expect(pdb).toHaveLength(1);
      const { minAvailable, maxUnavailable } = pdb[0]!.spec as { minAvailable?: number; maxUnavailable?: number };
      expect(minAvailable !== undefined || maxUnavailable !== undefined).toBe(true);
      // A single-replica workload with minAvailable ≥ 1 could never be evicted (node drains hang).
      if (d.spec.replicas === 1) expect(maxUnavailable ?? 0).toBeGreaterThanOrEqual(1);
    }
  });

  it.each(deploymentNames)(
    '%s probes /health/ready and /health/live on its port, sets resources and runs as non-root',
    (name) => {
      const d = deployments.find((x) => x.metadata.name === name)!;
      const c = mainContainer(d);
      const port = PORTS[serviceOf(c)!];
      const resolvePort = (p: number | string | undefined) =>
        typeof p === 'string' ? c.ports?.find((x) => x.name === p)?.containerPort : p;
      expect(c.readinessProbe?.httpGet?.path).toBe('/health/ready');
      expect(c.livenessProbe?.httpGet?.path).toBe('/health/live');
      expect(resolvePort(c.readinessProbe?.httpGet?.port)).toBe(port);
      expect(resolvePort(c.livenessProbe?.httpGet?.port)).toBe(port);
      expect(containerProblems(d, configMaps)).toEqual([]);
    },
  );

  it('autoscales the stateless connectors and nothing that holds sessions or leases', () => {
    const target = (h: Resource) => (h.spec as { scaleTargetRef: { kind: string; name: string } }).scaleTargetRef;
    for (const name of AUTOSCALED) {
      const hpa = hpas.filter((h) => target(h).kind === 'Deployment' && target(h).name === name);
      expect({ name, hpas: hpa.length }).toEqual({ name, hpas: 1 });
      expect(hpa[0]!.apiVersion).toBe('autoscaling/v2');
      expect(hpa[0]!.spec.minReplicas).toBeGreaterThanOrEqual(2);
      expect(hpa[0]!.spec.maxReplicas).toBeGreaterThan(hpa[0]!.spec.minReplicas);
      // A fixed replica count would fight the HPA on every apply.
      expect(deployments.find((d) => d.metadata.name === name)?.spec.replicas).toBeUndefined();
    }
    for (const name of SINGLETONS) {
      expect({ name, replicas: deployments.find((d) => d.metadata.name === name)?.spec.replicas }).toEqual({
        name,
        replicas: 1,
      });
      expect(hpas.filter((h) => target(h).name === name)).toEqual([]);
    }
    for (const name of CONSUMERS) {
      const d = deployments.find((x) => x.metadata.name === name)!;
      expect(d.spec.replicas ?? 1).toBeLessThanOrEqual(partitions);
      for (const h of hpas.filter((x) => target(x).name === name))
        expect(h.spec.maxReplicas).toBeLessThanOrEqual(partitions);
    }
    expect(hpas.every((h) => deploymentNames.includes(target(h).name))).toBe(true);
  });

  it.each(deploymentNames)('%s provides every variable its config.ts requires, and only known ones', (name) => {
    const d = deployments.find((x) => x.metadata.name === name)!;
    const c = mainContainer(d);
    const service = serviceOf(c)!;
    const schema = schemas.get(service);
    expect(schema).toBeDefined();
    const full = resolveEnv(c, configMaps, { withOptional: true });
    expect(full.missingSamples).toEqual([]);

    const required = [...requiredVariables(schema!), ...CLUSTER_REQUIRED];
    const config = parseConfig(schema!, full.env) as Record<string, unknown>;
    const known = new Set(Object.keys(config));
    expect(required.filter((v) => known.has(v) && !full.names.has(v))).toEqual([]);
    expect(config.PORT).toBe(PORTS[service]);
    expect([...full.names].filter((v) => !known.has(v) && !/^X_ACCESS_(TOKEN|SECRET)_\d+$/.test(v))).toEqual([]);

    // Optional Secret keys may be absent: the service must still start.
    expect(() => parseConfig(schema!, resolveEnv(c, configMaps, { withOptional: false }).env)).not.toThrow();
  });
});

describe('the checks themselves', () => {
  // Mutated copies of a real Deployment: each must be reported, so the tests above can fail.
  const original = deployments.find((d) => d.metadata.name === 'unifier')!;
  const mutate = (change: (c: Container, d: Workload) => void) => {
    const copy = structuredClone(original);
    change(copy.spec.template.spec.containers[0]!, copy);
    return containerProblems(copy, configMaps);
  };

  it('finds pods in any kind and reports a container that may run as root', () => {
    const pod = structuredClone(original.spec.template.spec);
    const cronJob = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly' },
      spec: { jobTemplate: { spec: { template: { spec: pod } } } },
    };
    const statefulSet = {
      ...structuredClone(original),
      kind: 'StatefulSet',
      metadata: { name: 'stateful' },
    } as Resource;
    expect(rootContainers([cronJob, statefulSet])).toEqual([]);
    delete pod.securityContext!.runAsNonRoot;
    delete pod.containers[0]!.securityContext!.runAsNonRoot;
    statefulSet.spec.template.spec.containers[0].securityContext.runAsUser = 0;
    expect(rootContainers([cronJob, statefulSet])).toEqual(['CronJob nightly/unifier', 'StatefulSet stateful/unifier']);
  });

  it('the real unifier Deployment is clean', () => {
    expect(containerProblems(original, configMaps)).toEqual([]);
  });

  it('reports root, writable root filesystems, missing resources and literal secrets', () => {
    expect(mutate((c) => (c.securityContext!.runAsUser = 0)).join()).toMatch(/runAsUser/);
    expect(
      mutate(
        (c, d) => ((c.securityContext!.runAsNonRoot = undefined), (d.spec.template.spec.securityContext = {})),
      ).join(),
    ).toMatch(/runAsNonRoot/);
    expect(mutate((c) => (c.securityContext!.readOnlyRootFilesystem = false)).join()).toMatch(/root filesystem/);
    expect(mutate((c) => delete c.resources!.limits).join()).toMatch(/no limits\.memory/);
    expect(mutate((c) => c.env!.push({ name: 'AUTH_TOKENS', value: 'a-literal-token-123456' })).join()).toMatch(
      /AUTH_TOKENS is a literal/,
    );
    expect(mutate((c) => c.env!.push({ name: 'SOME_URL', value: 'postgres://kanal:hunter2@db/kanal' })).join()).toMatch(
      /credential-like/,
    );
    expect(configMapProblems(new Map([['x', { DATABASE_URL: 'postgres://a:b@c/d' }]])).length).toBe(2);
  });
});
