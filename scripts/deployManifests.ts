/**
 * `npm run deploy:manifests`: writes the Kubernetes manifests under
 * `deploy/k8s/` from one description of the city graph's services, so the
 * five subgraphs and their five MongoDB replica sets cannot drift apart.
 * The committed YAML is what operators read and apply
 * (`kubectl apply -k deploy/k8s`); a test checks it is fresh and valid.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import {
  DEFAULT_PORTS,
  SUBGRAPH_NAMES,
  type SubgraphName,
} from '../lib/runtime/config.js';
import { shardKeyScript, shardedSubgraphs } from './shardKeys.js';

/** The namespace everything runs in. */
export const NAMESPACE = 'city-graph';
/** The image every service runs (one image, one command per service); retag with kustomize `images:`. */
export const IMAGE = 'marseille/city-graph:0.1.0';
const MONGO_IMAGE = 'mongo:7.0';
const MONGO_MEMBERS = 3;

type Manifest = Record<string, unknown>;

const partOf = { 'app.kubernetes.io/part-of': 'city-graph' };
const labelsOf = (name: string, component: string) => ({
  'app.kubernetes.io/name': name,
  'app.kubernetes.io/component': component,
  ...partOf,
});
const selectorOf = (name: string) => ({ 'app.kubernetes.io/name': name });
const meta = (name: string, component: string) => ({
  name,
  namespace: NAMESPACE,
  labels: labelsOf(name, component),
});

/** Containers run as the image's non-root user, read-only, without capabilities. */
const containerSecurity = {
  runAsNonRoot: true,
  runAsUser: 1000,
  runAsGroup: 1000,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

const probes = (port: number) => ({
  // /ready checks the service's dependencies (database, or every subgraph and
  // the audit store for the gateway); /health only that the process answers.
  readinessProbe: {
    httpGet: { path: '/ready', port },
    periodSeconds: 5,
    timeoutSeconds: 3,
    failureThreshold: 3,
  },
  livenessProbe: {
    httpGet: { path: '/health', port },
    initialDelaySeconds: 10,
    periodSeconds: 10,
    timeoutSeconds: 3,
    failureThreshold: 6,
  },
  startupProbe: {
    httpGet: { path: '/health', port },
    periodSeconds: 2,
    failureThreshold: 60,
  },
});

const mongoUriEnv = (name: SubgraphName) => ({
  name: `${name.toUpperCase()}_MONGODB_URI`,
  valueFrom: { secretKeyRef: { name: `mongodb-${name}`, key: 'uri' } },
});

const commonEnv = [
  { name: 'NODE_ENV', value: 'production' },
  { name: 'BIND_HOST', value: '0.0.0.0' },
  { name: 'LOG_LEVEL', value: 'info' },
];

/** tsx compiles to a cache under /tmp: the only writable path. */
const tmpVolume = { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } };
const tmpMount = { name: 'tmp', mountPath: '/tmp' };

function podSpec(
  container: Manifest,
  volumes: Manifest[],
  serviceName: string,
): Manifest {
  return {
    automountServiceAccountToken: false,
    securityContext: { fsGroup: 1000 },
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: selectorOf(serviceName) },
      },
    ],
    terminationGracePeriodSeconds: 30,
    containers: [container],
    volumes: [tmpVolume, ...volumes],
  };
}

function service(name: string, component: string, port: number): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(name, component),
    spec: {
      selector: selectorOf(name),
      ports: [{ name: 'http', port, targetPort: port }],
    },
  };
}

function pdb(name: string, component: string, rule: Manifest): Manifest {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: meta(name, component),
    spec: { ...rule, selector: { matchLabels: selectorOf(name) } },
  };
}

/** Who may scrape /metrics: Prometheus in the `monitoring` namespace. */
const fromPrometheus = {
  namespaceSelector: {
    matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' },
  },
};

function gatewayManifests(): Manifest[] {
  const port = DEFAULT_PORTS.gateway;
  const container = {
    name: 'gateway',
    image: IMAGE,
    command: ['node', '--import', 'tsx', 'gateway/src/index.ts'],
    ports: [{ name: 'http', containerPort: port }],
    env: [
      ...commonEnv,
      { name: 'GATEWAY_PORT', value: String(port) },
      // One audit hash chain per replica (docs/decisions/0003).
      {
        name: 'AUDIT_CHAIN_ID',
        valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
      },
      {
        name: 'GATEWAY_TOKEN_PRIVATE_KEY_FILE',
        value: '/keys/gateway/private.pem',
      },
      mongoUriEnv('governance'),
      // The keyed HMAC that pseudonymizes social posts' authors at the door (ADR 0019):
      // without it in production the social webhook answers 503.
      {
        name: 'SOCIAL_AUTHOR_KEY',
        valueFrom: { secretKeyRef: { name: 'social-author-key', key: 'key' } },
      },
      ...SUBGRAPH_NAMES.map((n) => ({
        name: `${n.toUpperCase()}_URL`,
        value: `http://subgraph-${n}:${DEFAULT_PORTS[n]}/graphql`,
      })),
    ],
    envFrom: [{ configMapRef: { name: 'city-graph-auth' } }],
    resources: {
      requests: { cpu: '250m', memory: '256Mi' },
      limits: { memory: '512Mi' },
    },
    securityContext: containerSecurity,
    volumeMounts: [
      tmpMount,
      { name: 'gateway-key', mountPath: '/keys/gateway', readOnly: true },
    ],
    ...probes(port),
  };
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('gateway', 'gateway'),
      spec: {
        replicas: 2,
        selector: { matchLabels: selectorOf('gateway') },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
        },
        template: {
          metadata: {
            labels: labelsOf('gateway', 'gateway'),
            annotations: {
              'prometheus.io/scrape': 'true',
              'prometheus.io/port': String(port),
              'prometheus.io/path': '/metrics',
            },
          },
          spec: podSpec(
            container,
            [
              {
                name: 'gateway-key',
                secret: {
                  secretName: 'gateway-token-key',
                  items: [{ key: 'private.pem', path: 'private.pem' }],
                  defaultMode: 0o400,
                },
              },
            ],
            'gateway',
          ),
        },
      },
    },
    service('gateway', 'gateway', port),
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta('gateway', 'gateway'),
      spec: {
        scaleTargetRef: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: 'gateway',
        },
        minReplicas: 2,
        maxReplicas: 10,
        metrics: [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'Utilization', averageUtilization: 70 },
            },
          },
        ],
        behavior: {
          scaleDown: {
            stabilizationWindowSeconds: 300,
            policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }],
          },
        },
      },
    },
    pdb('gateway', 'gateway', { minAvailable: 1 }),
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('gateway', 'gateway'),
      spec: {
        podSelector: { matchLabels: selectorOf('gateway') },
        policyTypes: ['Ingress'],
        // The gateway is the graph's one public door: any client may call it.
        ingress: [{ ports: [{ protocol: 'TCP', port }] }],
      },
    },
  ];
}

function subgraphManifests(name: SubgraphName): Manifest[] {
  const port = DEFAULT_PORTS[name];
  const fullName = `subgraph-${name}`;
  const container = {
    name: 'subgraph',
    image: IMAGE,
    command: ['node', '--import', 'tsx', `subgraphs/${name}/src/index.ts`],
    ports: [{ name: 'http', containerPort: port }],
    env: [
      ...commonEnv,
      { name: `${name.toUpperCase()}_PORT`, value: String(port) },
      mongoUriEnv(name),
      {
        name: 'GATEWAY_TOKEN_PUBLIC_KEY_FILE',
        value: '/keys/gateway/public.pem',
      },
    ],
    resources: {
      requests: { cpu: '200m', memory: '192Mi' },
      limits: { memory: '384Mi' },
    },
    securityContext: containerSecurity,
    volumeMounts: [
      tmpMount,
      {
        name: 'gateway-public-key',
        mountPath: '/keys/gateway',
        readOnly: true,
      },
    ],
    ...probes(port),
  };
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(fullName, 'subgraph'),
      spec: {
        replicas: 2,
        selector: { matchLabels: selectorOf(fullName) },
        template: {
          metadata: {
            labels: labelsOf(fullName, 'subgraph'),
            annotations: {
              'prometheus.io/scrape': 'true',
              'prometheus.io/port': String(port),
              'prometheus.io/path': '/metrics',
            },
          },
          spec: podSpec(
            container,
            [
              {
                name: 'gateway-public-key',
                secret: {
                  secretName: 'gateway-token-key',
                  items: [{ key: 'public.pem', path: 'public.pem' }],
                  defaultMode: 0o444,
                },
              },
            ],
            fullName,
          ),
        },
      },
    },
    service(fullName, 'subgraph', port),
    pdb(fullName, 'subgraph', { minAvailable: 1 }),
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(fullName, 'subgraph'),
      spec: {
        podSelector: { matchLabels: selectorOf(fullName) },
        policyTypes: ['Ingress'],
        // Only the gateway calls a subgraph (which also refuses any request
        // without a gateway token); Prometheus scrapes /metrics.
        ingress: [
          {
            from: [{ podSelector: { matchLabels: selectorOf('gateway') } }],
            ports: [{ protocol: 'TCP', port }],
          },
          { from: [fromPrometheus], ports: [{ protocol: 'TCP', port }] },
        ],
      },
    },
  ];
}

function mongoManifests(name: SubgraphName): Manifest[] {
  const fullName = `mongodb-${name}`;
  const replSet = `rs-${name}`;
  const hosts = Array.from(
    { length: MONGO_MEMBERS },
    (_, i) =>
      `${fullName}-${i}.${fullName}.${NAMESPACE}.svc.cluster.local:27017`,
  );
  // The governance database also holds the audit trail and schema usage,
  // written by the gateway.
  const clients = [
    { podSelector: { matchLabels: selectorOf(`subgraph-${name}`) } },
    ...(name === 'governance'
      ? [{ podSelector: { matchLabels: selectorOf('gateway') } }]
      : []),
  ];
  const members = hosts.map((host, i) => ({ _id: i, host }));
  const initiate = [
    'until mongosh --quiet --host "$0" -u "$MONGO_INITDB_ROOT_USERNAME" -p "$MONGO_INITDB_ROOT_PASSWORD" --eval "db.adminCommand({ ping: 1 })"; do sleep 2; done',
    `mongosh --quiet --host "$0" -u "$MONGO_INITDB_ROOT_USERNAME" -p "$MONGO_INITDB_ROOT_PASSWORD" --eval 'try { rs.status() } catch (e) { rs.initiate(${JSON.stringify({ _id: replSet, members })}) }'`,
  ].join('\n');
  const rootEnv = [
    {
      name: 'MONGO_INITDB_ROOT_USERNAME',
      valueFrom: { secretKeyRef: { name: fullName, key: 'root-username' } },
    },
    {
      name: 'MONGO_INITDB_ROOT_PASSWORD',
      valueFrom: { secretKeyRef: { name: fullName, key: 'root-password' } },
    },
  ];
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta(fullName, 'database'),
      spec: {
        serviceName: fullName,
        replicas: MONGO_MEMBERS,
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: selectorOf(fullName) },
        template: {
          metadata: { labels: labelsOf(fullName, 'database') },
          spec: {
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 999,
              fsGroup: 999,
            },
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  {
                    weight: 100,
                    podAffinityTerm: {
                      topologyKey: 'kubernetes.io/hostname',
                      labelSelector: { matchLabels: selectorOf(fullName) },
                    },
                  },
                ],
              },
            },
            containers: [
              {
                name: 'mongod',
                image: MONGO_IMAGE,
                args: [
                  '--replSet',
                  replSet,
                  '--bind_ip_all',
                  '--keyFile',
                  '/keyfile/keyfile',
                ],
                ports: [{ name: 'mongodb', containerPort: 27017 }],
                env: rootEnv,
                resources: {
                  requests: { cpu: '500m', memory: '1Gi' },
                  limits: { memory: '2Gi' },
                },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  capabilities: { drop: ['ALL'] },
                },
                readinessProbe: {
                  exec: {
                    command: [
                      'mongosh',
                      '--quiet',
                      '--eval',
                      'db.adminCommand({ ping: 1 })',
                    ],
                  },
                  periodSeconds: 10,
                  timeoutSeconds: 5,
                },
                livenessProbe: {
                  tcpSocket: { port: 27017 },
                  initialDelaySeconds: 30,
                  periodSeconds: 20,
                },
                volumeMounts: [
                  { name: 'data', mountPath: '/data/db' },
                  { name: 'keyfile', mountPath: '/keyfile', readOnly: true },
                ],
              },
            ],
            volumes: [
              {
                name: 'keyfile',
                secret: {
                  secretName: fullName,
                  items: [{ key: 'keyfile', path: 'keyfile' }],
                  defaultMode: 0o400,
                },
              },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: {
              accessModes: ['ReadWriteOnce'],
              resources: { requests: { storage: '20Gi' } },
            },
          },
        ],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(fullName, 'database'),
      spec: {
        clusterIP: 'None',
        // Members must resolve each other before they are ready, to elect.
        publishNotReadyAddresses: true,
        selector: selectorOf(fullName),
        ports: [{ name: 'mongodb', port: 27017, targetPort: 27017 }],
      },
    },
    pdb(fullName, 'database', { maxUnavailable: 1 }),
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(fullName, 'database'),
      spec: {
        podSelector: { matchLabels: selectorOf(fullName) },
        policyTypes: ['Ingress'],
        // Its own members (replication), its department's subgraph, and the
        // one-off replica-set initiation job; no other department.
        ingress: [
          {
            from: [
              { podSelector: { matchLabels: selectorOf(fullName) } },
              {
                podSelector: {
                  matchLabels: selectorOf(`${fullName}-init`),
                },
              },
              ...clients,
            ],
            ports: [{ protocol: 'TCP', port: 27017 }],
          },
        ],
      },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: meta(`${fullName}-init`, 'database'),
      spec: {
        backoffLimit: 30,
        template: {
          metadata: { labels: labelsOf(`${fullName}-init`, 'database') },
          spec: {
            automountServiceAccountToken: false,
            restartPolicy: 'OnFailure',
            securityContext: { runAsNonRoot: true, runAsUser: 999 },
            containers: [
              {
                name: 'rs-initiate',
                image: MONGO_IMAGE,
                command: ['bash', '-c', initiate, hosts[0] ?? ''],
                env: rootEnv,
                resources: {
                  requests: { cpu: '50m', memory: '64Mi' },
                  limits: { memory: '256Mi' },
                },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  capabilities: { drop: ['ALL'] },
                },
              },
            ],
          },
        },
      },
    },
  ];
}

function namespaceManifests(): Manifest[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: NAMESPACE, labels: partOf },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny-ingress', namespace: NAMESPACE },
      // Everything not allowed by a service's own policy is refused.
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta('city-graph-auth', 'gateway'),
      data: {
        AUTH_JWKS_URL: 'https://login.example.invalid/.well-known/jwks.json',
        AUTH_ISSUER: 'https://login.example.invalid/',
        AUTH_AUDIENCE: 'urn:marseille:city-graph',
      },
    },
  ];
}

/** The ConfigMap that holds the generated mongosh scripts, one per sharded database. */
const SHARD_KEYS_CONFIG_MAP = 'mongodb-shard-keys';

/**
 * The production sharding plan (scripts/shardKeys.ts, docs/scale.md): the mongosh script of each
 * department whose database shards something, and a Job per department that runs it against the
 * department's mongos. The mongos URI is the optional `mongos-uri` key of the department's
 * database Secret: while a department runs as the replica set above, the key is absent and the
 * Job ends without touching anything; once the operator converts the set to a sharded cluster
 * and adds the key, re-applying runs it (the script is idempotent).
 */
function shardKeyManifests(): Manifest[] {
  const sharded = shardedSubgraphs();
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(SHARD_KEYS_CONFIG_MAP, 'database'),
      data: Object.fromEntries(
        sharded.map((name) => [`shard-keys-${name}.js`, shardKeyScript(name)]),
      ),
    },
    ...sharded.map((name) => {
      const fullName = `mongodb-${name}-shard-keys`;
      const run = [
        'if [ -z "$MONGOS_URI" ]; then',
        `  echo "no mongos-uri in Secret mongodb-${name}: ${name} runs as a replica set, nothing to shard"`,
        '  exit 0',
        'fi',
        `exec mongosh "$MONGOS_URI" --quiet --file /scripts/shard-keys-${name}.js`,
      ].join('\n');
      return {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: meta(fullName, 'database'),
        spec: {
          backoffLimit: 10,
          // Removed a day after it ends, so that the next apply runs it again (a Job's
          // template cannot change in place); running it twice changes nothing.
          ttlSecondsAfterFinished: 86_400,
          template: {
            metadata: { labels: labelsOf(fullName, 'database') },
            spec: {
              automountServiceAccountToken: false,
              restartPolicy: 'OnFailure',
              securityContext: { runAsNonRoot: true, runAsUser: 999 },
              containers: [
                {
                  name: 'shard-keys',
                  image: MONGO_IMAGE,
                  command: ['bash', '-c', run],
                  env: [
                    // mongosh keeps its history and settings under $HOME; the root filesystem is read-only.
                    { name: 'HOME', value: '/tmp' },
                    {
                      name: 'MONGOS_URI',
                      valueFrom: {
                        secretKeyRef: {
                          name: `mongodb-${name}`,
                          key: 'mongos-uri',
                          optional: true,
                        },
                      },
                    },
                  ],
                  resources: {
                    requests: { cpu: '50m', memory: '64Mi' },
                    limits: { memory: '256Mi' },
                  },
                  securityContext: {
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ['ALL'] },
                  },
                  volumeMounts: [
                    { name: 'scripts', mountPath: '/scripts', readOnly: true },
                    tmpMount,
                  ],
                },
              ],
              volumes: [
                {
                  name: 'scripts',
                  configMap: {
                    name: SHARD_KEYS_CONFIG_MAP,
                    items: [
                      {
                        key: `shard-keys-${name}.js`,
                        path: `shard-keys-${name}.js`,
                      },
                    ],
                  },
                },
                tmpVolume,
              ],
            },
          },
        },
      };
    }),
  ];
}

/** Example Secrets: the operator creates the real ones (docs/operations.md); never applied by kustomize. */
function exampleSecrets(): Manifest[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta('gateway-token-key', 'gateway'),
      type: 'Opaque',
      stringData: {
        'private.pem': '<gateway Ed25519 private key, PKCS#8 PEM>',
        'public.pem': '<gateway Ed25519 public key, SPKI PEM>',
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta('social-author-key', 'gateway'),
      type: 'Opaque',
      stringData: { key: '<random, at least 32 characters>' },
    },
    ...SUBGRAPH_NAMES.map((name) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta(`mongodb-${name}`, 'database'),
      type: 'Opaque',
      stringData: {
        'root-username': 'root',
        'root-password': '<random>',
        keyfile: '<random base64, 6 to 1024 characters>',
        ...(shardedSubgraphs().includes(name)
          ? {
              // Only once the department runs as a sharded cluster (docs/scale.md): a user
              // with clusterManager on the cluster and dbAdmin on the database.
              'mongos-uri': `mongodb://<sharding admin>:<password>@<mongos host>:27017/${name}?authSource=admin`,
            }
          : {}),
        uri: `mongodb://${name}:<password>@mongodb-${name}-0.mongodb-${name}:27017,mongodb-${name}-1.mongodb-${name}:27017,mongodb-${name}-2.mongodb-${name}:27017/${name}?replicaSet=rs-${name}&authSource=${name}`,
      },
    })),
  ];
}

/** The manifest files, by file name under deploy/k8s/. */
export function deployManifests(): Map<string, Manifest[]> {
  const files = new Map<string, Manifest[]>();
  files.set('namespace.yaml', namespaceManifests());
  files.set('gateway.yaml', gatewayManifests());
  for (const name of SUBGRAPH_NAMES) {
    files.set(`subgraph-${name}.yaml`, subgraphManifests(name));
    files.set(`mongodb-${name}.yaml`, mongoManifests(name));
  }
  files.set('mongodb-shard-keys.yaml', shardKeyManifests());
  files.set('secrets.example.yaml', exampleSecrets());
  return files;
}

/** The text of each file under deploy/k8s/ (YAML documents, and the kustomization). */
export function renderDeployManifests(): Map<string, string> {
  const header =
    '# Generated by `npm run deploy:manifests` (scripts/deployManifests.ts): edit that, not this.\n';
  const out = new Map<string, string>();
  const applied: string[] = [];
  for (const [file, docs] of deployManifests()) {
    out.set(
      file,
      header + docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n'),
    );
    if (file !== 'secrets.example.yaml') applied.push(file);
  }
  out.set(
    'kustomization.yaml',
    header +
      stringify({
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        namespace: NAMESPACE,
        resources: applied,
        images: [{ name: IMAGE.split(':')[0], newTag: IMAGE.split(':')[1] }],
      }),
  );
  return out;
}

/** The folder the manifests are written to. */
export const K8S_DIR = path.resolve(import.meta.dirname, '../deploy/k8s');
/** The folder of the generated mongosh scripts (the same text as the ConfigMap's), for operators outside Kubernetes. */
export const MONGODB_DIR = path.resolve(
  import.meta.dirname,
  '../deploy/mongodb',
);

/** The text of each file under deploy/mongodb/. */
export function renderMongoScripts(): Map<string, string> {
  return new Map(
    shardedSubgraphs().map((name) => [
      `shard-keys-${name}.js`,
      shardKeyScript(name),
    ]),
  );
}

if (process.argv[1] === import.meta.filename) {
  await mkdir(K8S_DIR, { recursive: true });
  for (const [file, text] of renderDeployManifests())
    await writeFile(path.join(K8S_DIR, file), text);
  await mkdir(MONGODB_DIR, { recursive: true });
  for (const [file, text] of renderMongoScripts())
    await writeFile(path.join(MONGODB_DIR, file), text);
  process.stdout.write(`Wrote ${K8S_DIR} and ${MONGODB_DIR}\n`);
}
