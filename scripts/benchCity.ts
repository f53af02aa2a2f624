/**
 * `npm run bench:city`: the city graph as `npm start` runs it (embedded localdb per
 * department, seeded, five subgraphs and the gateway as processes), on free ports and a
 * temporary data directory, timing through the gateway:
 *   - the README's DistrictOverview query, one client, sequential (p50/p99);
 *   - all 16 districts × up to 8 traffic sensors (the 16e has 3) × 24 readings in one query.
 * Not a timed test: it prints figures, recorded in docs/localdb.md.
 */
import { parseArgs } from 'node:util';
import { EXPLORER_EXAMPLES } from '../gateway/src/explorer/examples.js';
import { processCpu } from './bench/processCpu.js';
import {
  percentile,
  startSeededCity,
  waitForRollupCatchUp,
} from './bench/startSeededCity.js';

// The README's district query, from the one list that keeps it (the
// explorer's examples, tested against the README).
const DISTRICT_OVERVIEW = EXPLORER_EXAMPLES[0]?.query ?? '';

/**
 * The shape for one district: 8 sensors × 24 readings. `nodes` rather than
 * `edges { node }`: the nesting of the latter is over the gateway's cost limit (Armor).
 */
const districtPages = (code: string) => /* GraphQL */ `
  query SensorPages {
    district(code: "${code}") {
      code
      trafficSensors(first: 8) {
        nodes {
          id
          readings(first: 24) {
            nodes { observedAt occupancy congested }
          }
        }
      }
    }
  }
`;

async function post(url: string, query: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as { errors?: unknown[]; data?: unknown };
  const ms = performance.now() - t0;
  if (!res.ok || body.errors !== undefined)
    throw new Error(
      `query failed (${res.status}): ${JSON.stringify(body.errors ?? body).slice(0, 500)}`,
    );
  return ms;
}

/** Sum and count of `gateway_subgraph_fetch_duration_seconds` per subgraph (ok outcomes), from /metrics. */
async function subgraphFetchTotals(
  metricsUrl: string,
): Promise<Map<string, { sum: number; count: number }>> {
  const text = await (await fetch(metricsUrl)).text();
  const totals = new Map<string, { sum: number; count: number }>();
  const line =
    /^gateway_subgraph_fetch_duration_seconds_(sum|count)\{([^}]*)\} (\S+)$/gm;
  for (const m of text.matchAll(line)) {
    const labels = m[2] ?? '';
    if (!labels.includes('outcome="ok"')) continue;
    const name = /subgraph="([^"]+)"/.exec(labels)?.[1] ?? '?';
    const entry = totals.get(name) ?? { sum: 0, count: 0 };
    if (m[1] === 'sum') entry.sum += Number(m[3]);
    else entry.count += Number(m[3]);
    totals.set(name, entry);
  }
  return totals;
}

/** The 16 districts' INSEE codes (13201 to 13216). */
const CODES = Array.from({ length: 16 }, (_, i) => String(13201 + i));

async function times(
  url: string,
  query: string | (() => Promise<unknown>),
  warmup: number,
  runs: number,
): Promise<number[]> {
  const once = async (): Promise<number> => {
    if (typeof query === 'string') return post(url, query);
    const t0 = performance.now();
    await query();
    return performance.now() - t0;
  };
  for (let i = 0; i < warmup; i += 1) await once();
  const out: number[] = [];
  for (let i = 0; i < runs; i += 1) out.push(await once());
  return out.sort((a, b) => a - b);
}

// `--no-catch-up-wait` measures right after start, during the rollup catch-up (the
// 06:35 run's conditions), for a side-by-side; `--profile <dir>` writes a CPU profile
// of the localdbs' process (scripts/start.ts) there, for scripts/bench/profileSummary.ts.
const { values: flags } = parseArgs({
  options: {
    'no-catch-up-wait': { type: 'boolean', default: false },
    profile: { type: 'string' },
  },
});
const waitCatchUp = !flags['no-catch-up-wait'];
const profileDir = flags.profile;
const city = await startSeededCity(
  profileDir === undefined
    ? {}
    : { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] },
);
const { baseUrl } = city;
const url = city.graphqlUrl;
try {
  console.log(
    `node ${process.version}; city started and seeded in ${city.startSeconds.toFixed(1)} s`,
  );
  // The seed marks every seeded window dirty; each department's rollup job then
  // recomputes them all in the same localdb processes. Measure after that catch-up
  // (docs/localdb.md, "Figures": the 06:35 run measured during it).
  if (waitCatchUp) {
    const catchUp = await waitForRollupCatchUp(city);
    console.log(
      `rollup catch-up: rollup_pending ${JSON.stringify(catchUp.pendingAtStart)} when the gateway was up, empty after ${catchUp.seconds.toFixed(1)} s`,
    );
  } else console.log('measuring without waiting for the rollup catch-up');
  const metricsUrl = `${baseUrl}/metrics`;
  await times(url, DISTRICT_OVERVIEW, 20, 0);
  const before = await subgraphFetchTotals(metricsUrl);
  const cpu = processCpu(city.pid);
  const overview = await times(url, DISTRICT_OVERVIEW, 0, 200);
  const cpuPerRequest = cpu.per(200);
  const after = await subgraphFetchTotals(metricsUrl);
  console.log(
    `README DistrictOverview, 1 client, 200 requests: p50 ${percentile(overview, 50).toFixed(1)} ms, p99 ${percentile(overview, 99).toFixed(1)} ms`,
  );
  // Where a request's time goes: each subgraph's mean fetch as the gateway saw it.
  const breakdown = [...after]
    .map(([name, a]) => {
      const b = before.get(name) ?? { sum: 0, count: 0 };
      const n = a.count - b.count;
      return n > 0
        ? `${name} ${(n / 200).toFixed(1)} fetches × ${(((a.sum - b.sum) / n) * 1000).toFixed(1)} ms`
        : '';
    })
    .filter((s) => s !== '');
  console.log(`  per request, mean subgraph fetch: ${breakdown.join('; ')}`);
  console.log(`  per request, CPU: ${cpuPerRequest}`);
  // `districts { trafficSensors(first: 8) { ... readings(first: 24) } }` in one operation
  // loads 3,088 objects, over the gateway's limit of 2,500 (gateway/src/listCost.ts), so
  // it is refused with GRAPHQL_VALIDATION_FAILED; the same 3,072 readings are fetched
  // as one operation per district, the 16 sent at once, as a client would page them.
  const all = () =>
    Promise.all(CODES.map((code) => post(url, districtPages(code))));
  const pages = await times(url, all, 3, 20);
  console.log(
    `16 districts × up to 8 traffic sensors × 24 readings (16 concurrent district queries), 20 rounds: p50 ${percentile(pages, 50).toFixed(0)} ms, max ${(pages[pages.length - 1] ?? Number.NaN).toFixed(0)} ms`,
  );
  const one = await times(url, districtPages('13201'), 3, 50);
  console.log(
    `one district × 8 traffic sensors × 24 readings, 50 requests: p50 ${percentile(one, 50).toFixed(1)} ms, p99 ${percentile(one, 99).toFixed(1)} ms`,
  );
} finally {
  await city.stop();
}
