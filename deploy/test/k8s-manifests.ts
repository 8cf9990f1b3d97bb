import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import { ConfigError, parseConfig } from '@kanal/config';
import { REPO_ROOT } from '@kanal/testing';

/** The manifests of deploy/k8s, their shapes, and the structural checks k8s.spec.ts runs on them. */

export const K8S_DIR = join(REPO_ROOT, 'deploy', 'k8s');
/** docs/architecture.md#5-http-surface-and-ports. */
export const PORTS: Record<string, number> = {
  'connector-api': 8081,
  'connector-meta': 8082,
  'connector-email': 8083,
  'connector-whatsapp': 8084,
  'connector-x': 8085,
  unifier: 8090,
  router: 8091,
};
/** Deployments that must be autoscaled (stateless webhook/API sides). */
export const AUTOSCALED = ['connector-api', 'connector-meta', 'connector-x-webhook'];
/** Deployments that hold sessions, leases or a poll budget: exactly one replica, no HPA. */
export const SINGLETONS = ['connector-email', 'connector-whatsapp', 'connector-x'];
/** Kafka consumer groups: scale by partitions; an HPA, if any, must stay within the partition count. */
export const CONSUMERS = ['unifier', 'router'];

/** Variables whose value is a credential (or embeds one): only ever from a Secret. */
export const SECRET_NAME =
  /SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|API_KEY|CONSUMER_KEY|^DATABASE_URL$|^EMAIL_MAILBOXES$/;
/** Values that look like credentials wherever they appear in plain text. */
export const SECRET_VALUE = /:\/\/[^/\s:@]+:[^/\s@]+@|-----BEGIN|"password"\s*:|"accessToken"\s*:/i;
/** Variables whose defaults only make sense on a laptop (127.0.0.1): a cluster must set them. */
export const CLUSTER_REQUIRED = ['KAFKA_BROKERS', 'DATABASE_URL'];

/** Valid sample values standing in for the Secrets the manifests reference (README.md lists them). */
export const SAMPLE_SECRET_KEYS: Record<string, string> = {
  'kanal-api-tokens/tokens': 'sample-token-0123456789abcdef',
  'kanal-postgres/database-url': 'postgres://kanal:sample@postgres.kanal.svc:5432/kanal',
  'connector-meta/app-secrets': 'sample-app-secret-1,sample-app-secret-2',
  'connector-meta/verify-token': 'sample-verify-token',
  'connector-meta/access-token': 'sample-access-token',
  'connector-email/mailboxes': JSON.stringify([
    { address: 'destek@example.com', host: 'imap.example.com', user: 'destek', password: 'sample' },
  ]),
  'connector-x/consumer-key': 'sample-consumer-key',
  'connector-x/consumer-secret': 'sample-consumer-secret',
};
export const SAMPLE_SECRETS: Record<string, Record<string, string>> = {
  'connector-x-accounts': { X_ACCOUNTS: '1234567', X_ACCESS_TOKEN_1234567: 'sample-user-token' },
};

// ---- minimal Kubernetes shapes -------------------------------------------------------------

export type Labels = Record<string, string>;
export interface Meta {
  name: string;
  labels?: Labels;
}
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: unknown;
  };
}
export interface EnvFrom {
  configMapRef?: { name: string; optional?: boolean };
  secretRef?: { name: string; optional?: boolean };
}
export interface Probe {
  httpGet?: { path: string; port: number | string };
}
export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  privileged?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
}
export interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: EnvFrom[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: { cpu?: string; memory?: string }; limits?: { cpu?: string; memory?: string } };
  securityContext?: SecurityContext;
}
export interface PodSpec {
  securityContext?: SecurityContext;
  containers: Container[];
  initContainers?: Container[];
  hostNetwork?: boolean;
  hostPID?: boolean;
}
export interface Workload {
  apiVersion: string;
  kind: 'Deployment' | 'Job';
  metadata: Meta;
  spec: {
    replicas?: number;
    selector?: { matchLabels: Labels };
    template: { metadata: { labels: Labels }; spec: PodSpec };
  };
}
export interface Resource {
  apiVersion: string;
  kind: string;
  metadata: Meta;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the shape depends on kind
  spec?: any;
  data?: Record<string, string>;
}

export interface Manifest {
  file: string;
  resource: Resource;
}

export function loadManifests(dir: string): Manifest[] {
  const out: Manifest[] = [];
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml')) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
      const resource = doc.toJS() as Resource | null;
      if (resource) out.push({ file, resource });
    }
  }
  return out;
}

export const matches = (selector: Labels | undefined, labels: Labels) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

export const serviceOf = (c: Container) => /^kanal\/([a-z-]+)(:[\w.-]+)?$/.exec(c.image)?.[1];

/** Every structural problem of one workload's containers (empty when it is fine). */
export function containerProblems(w: Workload, configMaps: Map<string, Record<string, string>>): string[] {
  const problems: string[] = [];
  const pod = w.spec.template.spec;
  const where = `${w.kind} ${w.metadata.name}`;
  if (pod.hostNetwork || pod.hostPID) problems.push(`${where}: uses the host network/PID namespace`);
  for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
    const sc = { ...pod.securityContext, ...c.securityContext };
    if (sc.runAsNonRoot !== true) problems.push(`${where}/${c.name}: runAsNonRoot is not true`);
    if (sc.runAsUser === undefined || sc.runAsUser === 0)
      problems.push(`${where}/${c.name}: runAsUser must be a non-zero uid`);
    if (c.securityContext?.allowPrivilegeEscalation !== false)
      problems.push(`${where}/${c.name}: allowPrivilegeEscalation is not false`);
    if (c.securityContext?.privileged) problems.push(`${where}/${c.name}: privileged`);
    if (c.securityContext?.readOnlyRootFilesystem !== true)
      problems.push(`${where}/${c.name}: root filesystem is writable`);
    if (!c.securityContext?.capabilities?.drop?.includes('ALL'))
      problems.push(`${where}/${c.name}: capabilities not dropped`);
    if (c.securityContext?.capabilities?.add?.length) problems.push(`${where}/${c.name}: adds capabilities`);
    for (const kind of ['requests', 'limits'] as const) {
      for (const res of ['cpu', 'memory'] as const) {
        if (!c.resources?.[kind]?.[res]) problems.push(`${where}/${c.name}: no ${kind}.${res}`);
      }
    }
    for (const e of c.env ?? []) {
      const ref = e.valueFrom;
      if (e.value !== undefined && SECRET_NAME.test(e.name))
        problems.push(`${where}/${c.name}: ${e.name} is a literal (use secretKeyRef)`);
      if (e.value !== undefined && SECRET_VALUE.test(e.value))
        problems.push(`${where}/${c.name}: ${e.name} holds a credential-like literal`);
      if (SECRET_NAME.test(e.name) && !ref?.secretKeyRef)
        problems.push(`${where}/${c.name}: ${e.name} must come from a secretKeyRef`);
      if (ref?.secretKeyRef && (!ref.secretKeyRef.name || !ref.secretKeyRef.key))
        problems.push(`${where}/${c.name}: ${e.name} secretKeyRef lacks name/key`);
    }
    for (const src of c.envFrom ?? []) {
      if (src.configMapRef && !configMaps.has(src.configMapRef.name))
        problems.push(`${where}/${c.name}: ConfigMap ${src.configMapRef.name} is not defined`);
    }
  }
  return problems;
}

/** The pod spec of any resource that runs pods (a new kind must not slip past the checks). */
export function podSpecOf(r: Resource): PodSpec | undefined {
  switch (r.kind) {
    case 'Pod':
      return r.spec as PodSpec;
    case 'CronJob':
      return r.spec?.jobTemplate?.spec?.template?.spec as PodSpec | undefined;
    default:
      return r.spec?.template?.spec as PodSpec | undefined;
  }
}

/** Containers (init containers included) that may run as root: runAsNonRoot not true, or uid 0. */
export function rootContainers(resources: Resource[]): string[] {
  const problems: string[] = [];
  for (const r of resources) {
    const pod = podSpecOf(r);
    if (!pod) continue;
    for (const c of [...(pod.containers ?? []), ...(pod.initContainers ?? [])]) {
      const sc = { ...pod.securityContext, ...c.securityContext };
      if (sc.runAsNonRoot !== true || sc.runAsUser === 0) problems.push(`${r.kind} ${r.metadata.name}/${c.name}`);
    }
  }
  return problems;
}

/** Problems of the ConfigMaps: secrets must not be kept there. */
export function configMapProblems(configMaps: Map<string, Record<string, string>>): string[] {
  const problems: string[] = [];
  for (const [name, data] of configMaps) {
    for (const [key, value] of Object.entries(data)) {
      if (SECRET_NAME.test(key)) problems.push(`ConfigMap ${name}: ${key} is a secret (use a Secret)`);
      if (SECRET_VALUE.test(String(value))) problems.push(`ConfigMap ${name}: ${key} holds a credential-like value`);
    }
  }
  return problems;
}

export interface ResolvedEnv {
  env: Record<string, string>;
  /** Names set by the manifest (ConfigMaps, Secret references, literals). */
  names: Set<string>;
  missingSamples: string[];
}

/** The environment a container would get, with sample values for its Secret references. */
export function resolveEnv(
  c: Container,
  configMaps: Map<string, Record<string, string>>,
  { withOptional }: { withOptional: boolean },
): ResolvedEnv {
  const env: Record<string, string> = {};
  const names = new Set<string>();
  const missingSamples: string[] = [];
  for (const src of c.envFrom ?? []) {
    const data = src.configMapRef
      ? configMaps.get(src.configMapRef.name)
      : src.secretRef
        ? SAMPLE_SECRETS[src.secretRef.name]
        : undefined;
    if (!data) {
      missingSamples.push(`envFrom ${src.configMapRef?.name ?? src.secretRef?.name}`);
      continue;
    }
    for (const [k, v] of Object.entries(data)) {
      env[k] = String(v);
      names.add(k);
    }
  }
  for (const e of c.env ?? []) {
    names.add(e.name);
    if (e.value !== undefined) env[e.name] = e.value;
    const secretRef = e.valueFrom?.secretKeyRef;
    if (secretRef) {
      if (secretRef.optional && !withOptional) continue;
      const sample = SAMPLE_SECRET_KEYS[`${secretRef.name}/${secretRef.key}`];
      if (sample === undefined) missingSamples.push(`${secretRef.name}/${secretRef.key}`);
      else env[e.name] = sample;
    }
    const cmRef = e.valueFrom?.configMapKeyRef;
    if (cmRef) {
      const v = configMaps.get(cmRef.name)?.[cmRef.key];
      if (v === undefined) missingSamples.push(`ConfigMap ${cmRef.name}/${cmRef.key}`);
      else env[e.name] = v;
    }
  }
  return { env, names, missingSamples };
}

/** Variables a schema insists on when nothing is set. */
export function requiredVariables(schema: z.ZodType): string[] {
  try {
    parseConfig(schema, {});
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.variables;
    throw error;
  }
}

// ---- the real files -------------------------------------------------------------------------
