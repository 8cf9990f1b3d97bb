import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { REPO_ROOT } from '@kanal/testing';

// No container engine runs here, so the deploy files are checked for structure instead.
interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  command?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[]; interval?: string; retries?: number };
  volumes?: string[];
}
const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
};
const dockerfile = readFileSync(join(REPO_ROOT, 'deploy', 'Dockerfile'), 'utf8');
const serviceDirs = readdirSync(join(REPO_ROOT, 'services'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

describe('docker-compose.yml', () => {
  it('runs a KRaft Kafka and Postgres with healthchecks and persistent volumes', () => {
    const { kafka, postgres } = compose.services;
    expect(kafka?.image).toMatch(/^apache\/kafka:4\./);
    expect(kafka?.environment).toMatchObject({
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    });
    expect(kafka?.healthcheck?.test.join(' ')).toContain('9092');
    expect(postgres?.healthcheck?.test.join(' ')).toContain('pg_isready');
    expect(kafka?.volumes?.[0]).toMatch(/^kafka-data:/);
    expect(postgres?.volumes?.[0]).toMatch(/^postgres-data:/);
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(['kafka-data', 'postgres-data']));
  });

  it('creates topics explicitly with the kanal CLI once Kafka is healthy', () => {
    const init = compose.services['topic-init'];
    expect(init?.build?.args?.SERVICE).toBe('kanal');
    expect(init?.command?.slice(-2)).toEqual(['topics', 'create']);
    expect(init?.depends_on?.kafka?.condition).toBe('service_healthy');
  });

  it.each(serviceDirs)('runs %s from the shared Dockerfile with a readiness healthcheck', (name) => {
    const svc = compose.services[name];
    expect(svc).toBeDefined();
    expect(svc!.build).toMatchObject({ dockerfile: 'deploy/Dockerfile', args: { SERVICE: name } });
    expect(svc!.healthcheck?.test.join(' ')).toContain('/health/ready');
    expect(svc!.depends_on).toMatchObject({
      kafka: { condition: 'service_healthy' },
      'topic-init': { condition: 'service_completed_successfully' },
    });
    expect(svc!.environment).toMatchObject({ KAFKA_BROKERS: 'kafka:9092' });
    expect(svc!.environment?.PORT).toBeDefined();
  });
});

describe('deploy/Dockerfile', () => {
  it('is multi-stage on a Node 22 LTS image, parameterised by SERVICE, and runs as non-root', () => {
    expect(dockerfile).toMatch(/ARG NODE_IMAGE=node:22/);
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/^ARG SERVICE$/m);
    const lastUser = dockerfile.match(/^USER (\S+)$/gm)?.pop();
    expect(lastUser).toBeDefined();
    expect(lastUser).not.toMatch(/root|\b0\b/);
  });

  it('switches to a non-root user in the runtime stage itself, with the code root-owned', () => {
    // A USER in an earlier stage does not carry over: the image runs as whoever the last stage says.
    const runtime = dockerfile.split(/^FROM /m).pop()!;
    const instructions = runtime.split('\n').filter((l) => /^[A-Z]+\s/.test(l));
    const users = instructions.filter((l) => l.startsWith('USER '));
    expect(users.length).toBeGreaterThan(0);
    const user = users.pop()!.slice('USER '.length).trim();
    const [name, group] = user.split(':');
    expect({ user, root: [name, group].some((part) => part === 'root' || part === '0') }).toEqual({
      user,
      root: false,
    });
    // Code is root-owned and so read-only to that user.
    for (const copy of instructions.filter((l) => l.startsWith('COPY '))) expect(copy).toContain('--chown=root:root');
  });
});
