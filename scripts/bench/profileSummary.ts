/**
 * Where a CPU profile's time goes (not for production): reads one
 * `.cpuprofile` written by `node --cpu-prof` (see `npm run bench:gateway --
 * --profile <dir>`) and prints the self time by area (our gateway code, our
 * lib, @apollo/gateway, @apollo/server, graphql-js, HTTP, logging, tokens,
 * GC, idle) and the top functions by self time. Start-up (module loading,
 * compiling) is left out: samples count from the first GraphQL request on.
 *
 * A process that serves no GraphQL (the embedded localdbs) counts from its first sample; with
 * `lastSeconds`, only the profile's last seconds count (a bench's measured phase, not the seed).
 *
 * Usage: tsx scripts/bench/profileSummary.ts <file.cpuprofile> [top=25] [lastSeconds]
 */
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: {
    functionName: string;
    url: string;
    lineNumber: number;
  };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const AREAS: [string, RegExp][] = [
  ['ours: gateway/src/plugins', /\/gateway\/src\/plugins\//],
  ['ours: gateway/src', /\/gateway\/src\//],
  ['ours: lib/records (audit, usage, access)', /\/lib\/records\//],
  ['ours: lib/runtime', /\/lib\/runtime\//],
  ['ours: lib/ingest', /\/lib\/ingest\//],
  ['ours: lib/subgraph-kit', /\/lib\/subgraph-kit\//],
  ['ours: subgraphs', /\/subgraphs\//],
  ['mongoose', /node_modules\/mongoose\//],
  ['ours: lib (other)', /\/lib\//],
  [
    '@apollo/gateway + query planner',
    /@apollo\/(gateway|query-planner|federation-internals)/,
  ],
  ['@apollo/server', /@apollo\/server/],
  ['@apollo/utils.*', /@apollo\/utils/],
  ['graphql-armor', /graphql-armor/],
  ['graphql-js', /node_modules\/graphql\//],
  ['pino (logging)', /node_modules\/(pino|sonic-boom|thread-stream)/],
  ['jose (tokens)', /node_modules\/jose\//],
  ['prom-client (metrics)', /prom-client/],
  ['mongodb driver / bson', /node_modules\/(mongodb|bson)\//],
  ['undici (fetch)', /undici|node:internal\/deps\/undici/],
  [
    'node http / net / streams',
    /node:(_http|http|net|internal\/(http|streams|stream_base|net))/,
  ],
  ['node (other)', /^node:/],
  ['other node_modules', /node_modules/],
];

function areaOf(node: ProfileNode): string {
  const { functionName, url } = node.callFrame;
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)') return 'program (native, unattributed)';
    return `native: ${functionName || '(anonymous)'}`;
  }
  const ours = !url.includes('/node_modules/');
  for (const [area, pattern] of AREAS)
    if (pattern.test(url) && (ours || !area.startsWith('ours:'))) return area;
  return 'other';
}

const [file, topArg, lastArg] = process.argv.slice(2);
if (!file) throw new Error('usage: profileSummary.ts <file.cpuprofile> [top]');
const top = Number(topArg ?? 25);
const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map<number, number>();
for (const node of profile.nodes)
  for (const child of node.children ?? []) parentOf.set(child, node.id);
const inGraphQLRequest = (id: number): boolean => {
  for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at))
    if (byId.get(at)?.callFrame.functionName === 'processGraphQLRequest')
      return true;
  return false;
};
const selfById = new Map<number, number>();
let total = 0;
const servesGraphQL = profile.nodes.some(
  (n) => n.callFrame.functionName === 'processGraphQLRequest',
);
let started = !servesGraphQL;
const span = profile.timeDeltas.reduce((a, b) => a + b, 0);
const from = lastArg === undefined ? 0 : span - Number(lastArg) * 1e6;
let at = 0;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  at += delta;
  started ||= inGraphQLRequest(id);
  if (!started || at < from) return;
  selfById.set(id, (selfById.get(id) ?? 0) + delta);
  total += delta;
});

// Inclusive time of our own functions (the repository's code, not node_modules): where
// the driver's and GC's time comes from.
const ourFrame = (node: ProfileNode): string | undefined => {
  const { functionName, url, lineNumber } = node.callFrame;
  if (url === '' || url.includes('/node_modules/') || url.startsWith('node:'))
    return undefined;
  const where = url.replace(
    /^file:\/\/.*?\/(gateway|lib|subgraphs|scripts)\//,
    '$1/',
  );
  return `${functionName || '(anonymous)'}  ${where}:${lineNumber + 1}`;
};
const inclusive = new Map<string, number>();
for (const [id, self] of selfById) {
  const frames = new Set<string>();
  for (
    let at: number | undefined = id;
    at !== undefined;
    at = parentOf.get(at)
  ) {
    const node = byId.get(at);
    const frame = node && ourFrame(node);
    if (frame) frames.add(frame);
  }
  for (const frame of frames)
    inclusive.set(frame, (inclusive.get(frame) ?? 0) + self);
}

const byArea = new Map<string, number>();
const byFunction = new Map<string, number>();
for (const [id, self] of selfById) {
  const node = byId.get(id);
  if (!node) continue;
  const area = areaOf(node);
  byArea.set(area, (byArea.get(area) ?? 0) + self);
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url
    .replace(/^.*node_modules\//, '')
    .replace(/^file:\/\/.*?\/(gateway|lib)\//, '$1/');
  const key = `${functionName || '(anonymous)'}  ${where}:${lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + self);
}
const idle = byArea.get('idle') ?? 0;
const busy = total - idle;
const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(1)}%`;
const lines = [
  `${file}: ${(total / 1e6).toFixed(1)} s sampled from the first GraphQL request, ${(busy / 1e6).toFixed(1)} s busy (${pct(busy, total)})`,
  '',
  'self time by area (share of busy time):',
  ...[...byArea]
    .filter(([area, t]) => area !== 'idle' && t / busy >= 0.002)
    .sort((a, b) => b[1] - a[1])
    .map(([area, t]) => `  ${pct(t, busy).padStart(6)}  ${area}`),
  '',
  `top ${top} functions by self time (share of busy time):`,
  ...[...byFunction]
    .filter(([key]) => !key.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, t]) => `  ${pct(t, busy).padStart(6)}  ${key}`),
  '',
  `top ${top} of our functions by inclusive time (share of busy time):`,
  ...[...inclusive]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, t]) => `  ${pct(t, busy).padStart(6)}  ${key}`),
  '',
];
process.stdout.write(lines.join('\n'));
