/**
 * `npm run bench:ingest`: sustained ingestion through the gateway's NGSI-LD endpoint into the
 * embedded default (the seeded city as `npm start` runs it). Not a timed test: it prints
 * figures, recorded in docs/ingestion.md.
 *
 *   npm run bench:ingest -- [--rate 5000] [--seconds 30] [--batch 500] [--senders 4] [--json out.json]
 *                           [--profile <dir>]   (a CPU profile of the embedded localdbs' process)
 *
 * Partners send TrafficFlowObserved entities (NGSI-LD, normalized, as the FIWARE example) for
 * the seeded traffic sensors, paced at `--rate` readings/s in batches of `--batch`, at most
 * `--senders` batches in flight. Meanwhile it measures:
 *   - accepted readings/s (what the gateway answered 201, or `success` of a 207);
 *   - accept → queryable: from a batch's acknowledgement to `trafficSensor(id) { latestReading }`
 *     answering its newest observation (polled every 5 ms);
 *   - the README's DistrictOverview query, one client, during ingestion against idle.
 */
import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { EXPLORER_EXAMPLES } from '../gateway/src/explorer/examples.js';
import { loadConfig } from '../lib/runtime/config.js';
import {
  histogramDelta,
  histogramTotals,
  percentile,
  startSeededCity,
  waitForRollupCatchUp,
} from './bench/startSeededCity.js';
import { processCpu } from './bench/processCpu.js';
import { writeJsonResult } from './bench/writeJsonResult.js';
import { devKeyFiles } from './devKeys.js';
import { mintDevToken } from './token.js';

const { values: flags } = parseArgs({
  options: {
    rate: { type: 'string', default: '5000' },
    seconds: { type: 'string', default: '30' },
    batch: { type: 'string', default: '500' },
    senders: { type: 'string', default: '4' },
    json: { type: 'string' },
    profile: { type: 'string' },
    'profile-services': {
      type: 'string',
      default: 'localdbs,mobility,gateway',
    },
    'no-catch-up-wait': { type: 'boolean', default: false },
  },
});
const positive = (name: string, raw: string): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`--${name} must be a positive integer, got "${raw}"`);
  return n;
};
const RATE = positive('rate', flags.rate);
const SECONDS = positive('seconds', flags.seconds);
const BATCH = positive('batch', flags.batch);
const SENDERS = positive('senders', flags.senders);

const DISTRICT_OVERVIEW = EXPLORER_EXAMPLES[0]?.query ?? '';
const CONTEXT =
  'https://raw.githubusercontent.com/smart-data-models/dataModel.Transportation/master/context.jsonld';

interface GraphQLAnswer {
  data?: Record<string, unknown>;
  errors?: unknown[];
}

async function graphql(
  url: string,
  query: string,
  token?: string,
): Promise<GraphQLAnswer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as GraphQLAnswer;
  if (!res.ok || body.errors !== undefined)
    throw new Error(
      `query failed (${res.status}): ${JSON.stringify(body.errors ?? body).slice(0, 500)}`,
    );
  return body;
}

/** One TrafficFlowObserved of `sensor` observed at `at` (5-minute interval ending then). */
function flowObserved(sensor: string, at: number): Record<string, unknown> {
  return {
    id: `urn:ngsi-ld:TrafficFlowObserved:${sensor}-${at}`,
    type: 'TrafficFlowObserved',
    refDevice: { type: 'Relationship', object: `urn:ngsi-ld:Device:${sensor}` },
    dateObserved: {
      type: 'Property',
      value: `${new Date(at - 300_000).toISOString()}/${new Date(at).toISOString()}`,
    },
    intensity: { type: 'Property', value: 40 + (at % 400) },
    averageVehicleSpeed: {
      type: 'Property',
      value: 15 + (at % 40),
      unitCode: 'KMH',
    },
    occupancy: { type: 'Property', value: (at % 90) / 100 },
    '@context': [CONTEXT],
  };
}

const summary = (sorted: readonly number[]): string =>
  `p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms (n=${sorted.length})`;

const profiled = flags['profile-services']
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const city = await startSeededCity(
  flags.profile === undefined
    ? {}
    : {
        ...(profiled.includes('localdbs')
          ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${flags.profile}`] }
          : {}),
        profileServices: {
          dir: flags.profile,
          services: profiled.filter((s) => s !== 'localdbs'),
        },
      },
);
try {
  console.log(
    `node ${process.version}; city started and seeded in ${city.startSeconds.toFixed(1)} s; ` +
      `target ${RATE.toLocaleString('en')} readings/s for ${SECONDS} s, batches of ${BATCH}, ${SENDERS} in flight`,
  );
  // The seed marks every seeded window dirty and each department's rollup job
  // recomputes them in the same localdbs: ingesting during that catch-up
  // measures the catch-up too (docs/localdb.md, "Figures").
  if (!flags['no-catch-up-wait']) {
    const catchUp = await waitForRollupCatchUp(city);
    console.log(
      `rollup catch-up: rollup_pending ${JSON.stringify(catchUp.pendingAtStart)} when the gateway was up, empty after ${catchUp.seconds.toFixed(1)} s`,
    );
  } else console.log('ingesting without waiting for the rollup catch-up');
  const config = loadConfig();
  const privateKey = createPrivateKey(
    await readFile(devKeyFiles(city.dataDir).issuer.privateKeyFile, 'utf8'),
  );
  const token = await mintDevToken({
    subject: 'bench-partner',
    scopes: ['mobility:ingest'],
    ttlSeconds: 3600,
    privateKey,
    issuer: config.auth.issuer,
    audience: config.auth.audience,
  });

  const listed = await graphql(
    city.graphqlUrl,
    '{ districts { trafficSensors(first: 8) { nodes { id } } } }',
  );
  const sensors = (
    (listed.data?.['districts'] ?? []) as {
      trafficSensors: { nodes: { id: string }[] };
    }[]
  ).flatMap((d) => d.trafficSensors.nodes.map((n) => n.id));
  if (sensors.length === 0) throw new Error('no seeded traffic sensor found');

  const districtTimes = async (until: () => boolean): Promise<number[]> => {
    const out: number[] = [];
    while (!until()) {
      const t0 = performance.now();
      await graphql(city.graphqlUrl, DISTRICT_OVERVIEW);
      out.push(performance.now() - t0);
    }
    return out.sort((a, b) => a - b);
  };
  // What each process spends with nothing to do (polls, timers, jobs): the
  // floor under the CPU per 1,000 readings below, which counts it too.
  const idleCpu = processCpu(city.pid);
  await new Promise((r) => setTimeout(r, 10_000));
  const idleCpuPerSecond = idleCpu.perUnit(10);
  console.log(
    `CPU per second, nothing sent: ${Object.entries(idleCpuPerSecond)
      .map(([label, ms]) => `${label} ${ms.toFixed(1)} ms`)
      .join('; ')}`,
  );
  let idleCount = 0;
  await districtTimes(() => ++idleCount > 20); // warm-up
  idleCount = 0;
  const idle = await districtTimes(() => ++idleCount > 100);

  // Reading k goes to sensor k mod S, one second after that sensor's previous one,
  // starting an hour ago: every reading is new, none in the future.
  const t0 = Date.now() - 3_600_000;
  const readingAt = (k: number) => t0 + Math.floor(k / sensors.length) * 1000;
  let next = 0;
  let accepted = 0;
  let refused = 0;
  let failedBatches = 0;
  // Why entities were refused (a 207's error titles), to tell overload from bad input.
  const refusals = new Map<string, number>();
  const batchTimes: number[] = [];
  let lastAck: { sensor: string; at: number; ackedAt: number } | undefined;
  const upsertUrl = `${city.baseUrl}/ngsi-ld/v1/entityOperations/upsert`;

  const sendBatch = async (): Promise<void> => {
    const first = next;
    next += BATCH;
    const entities = [];
    for (let k = first; k < first + BATCH; k += 1)
      entities.push(
        flowObserved(sensors[k % sensors.length] as string, readingAt(k)),
      );
    const sent = performance.now();
    const res = await fetch(upsertUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/ld+json',
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify(entities),
    });
    const text = await res.text();
    batchTimes.push(performance.now() - sent);
    if (res.status === 201 || res.status === 204) accepted += BATCH;
    else if (res.status === 207) {
      const body = JSON.parse(text) as {
        success: unknown[];
        errors?: { error?: { title?: string } }[];
      };
      accepted += body.success.length;
      refused += BATCH - body.success.length;
      for (const e of body.errors ?? []) {
        const title = e.error?.title ?? '(no title)';
        refusals.set(title, (refusals.get(title) ?? 0) + 1);
      }
    } else {
      failedBatches += 1;
      refused += BATCH;
      if (failedBatches <= 3)
        console.error(`batch refused ${res.status}: ${text.slice(0, 300)}`);
      return;
    }
    const lastK = first + BATCH - 1;
    lastAck = {
      sensor: sensors[lastK % sensors.length] as string,
      at: readingAt(lastK),
      ackedAt: performance.now(),
    };
  };

  const mobilityMetrics = `${city.subgraphBaseUrls['mobility'] ?? ''}/metrics`;
  const dbBefore = await histogramTotals(
    mobilityMetrics,
    'mongodb_command_duration_seconds',
  );
  // CPU per process during ingestion: steadier than readings/s on a shared machine.
  const cpuCount = processCpu(city.pid);
  const start = performance.now();
  const end = start + SECONDS * 1000;
  const interval = (BATCH / RATE) * 1000;
  let done = false;
  const inFlight = new Set<Promise<void>>();
  const pacer = (async () => {
    let due = start;
    while (performance.now() < end) {
      while (inFlight.size >= SENDERS) await Promise.race(inFlight);
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const p = sendBatch().finally(() => inFlight.delete(p));
      inFlight.add(p);
      due += interval;
    }
    await Promise.all(inFlight);
    done = true;
  })();

  // Accept → queryable, sampled: the newest acknowledged observation of a sensor.
  const visible: number[] = [];
  const prober = (async () => {
    while (!done) {
      await new Promise((r) => setTimeout(r, 250));
      const probe = lastAck;
      if (probe === undefined) continue;
      for (;;) {
        const answer = await graphql(
          city.graphqlUrl,
          `{ trafficSensor(id: "${probe.sensor}") { latestReading { observedAt } } }`,
        );
        const sensor = answer.data?.['trafficSensor'] as {
          latestReading: { observedAt: string } | null;
        } | null;
        const seen = Date.parse(sensor?.latestReading?.observedAt ?? '');
        if (seen >= probe.at) {
          visible.push(performance.now() - probe.ackedAt);
          break;
        }
        if (performance.now() - probe.ackedAt > 10_000) {
          visible.push(Number.POSITIVE_INFINITY);
          break;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  })();
  const during = await districtTimes(() => done);
  await Promise.all([pacer, prober]);
  const elapsed = (performance.now() - start) / 1000;
  const cpuPerThousand = cpuCount.perUnit(accepted / 1000);
  visible.sort((a, b) => a - b);
  batchTimes.sort((a, b) => a - b);

  const rate = accepted / elapsed;
  const result = {
    node: process.version,
    target: {
      readingsPerSecond: RATE,
      seconds: SECONDS,
      batch: BATCH,
      senders: SENDERS,
    },
    sensors: sensors.length,
    accepted,
    refused,
    refusals: Object.fromEntries(refusals),
    failedBatches,
    elapsedSeconds: elapsed,
    acceptedPerSecond: rate,
    cpuMsPerThousandReadings: cpuPerThousand,
    idleCpuMsPerSecond: idleCpuPerSecond,
    batchMs: {
      p50: percentile(batchTimes, 50),
      p99: percentile(batchTimes, 99),
    },
    acceptToQueryableMs: {
      p50: percentile(visible, 50),
      p99: percentile(visible, 99),
      samples: visible.length,
    },
    districtOverviewMs: {
      idle: { p50: percentile(idle, 50), p99: percentile(idle, 99) },
      duringIngest: {
        p50: percentile(during, 50),
        p99: percentile(during, 99),
      },
    },
  };
  console.log(
    `accepted ${accepted.toLocaleString('en')} readings in ${elapsed.toFixed(1)} s: ${Math.round(rate).toLocaleString('en')} readings/s ` +
      `(${refused} refused, ${failedBatches} batches failed)`,
  );
  for (const [title, n] of refusals) console.log(`  refused ${n}: ${title}`);
  console.log(
    `batch of ${BATCH}, send to acknowledgement: ${summary(batchTimes)}`,
  );
  console.log(`accept → queryable (latestReading): ${summary(visible)}`);
  console.log(`README DistrictOverview idle:             ${summary(idle)}`);
  console.log(`README DistrictOverview during ingestion: ${summary(during)}`);
  console.log(
    `district p99 during ÷ idle: ${(percentile(during, 99) / percentile(idle, 99)).toFixed(2)}`,
  );
  // Where a batch's time goes in the department: its database commands, as its driver saw them.
  const dbAfter = await histogramTotals(
    mobilityMetrics,
    'mongodb_command_duration_seconds',
  );
  console.log(
    `CPU per 1,000 accepted readings: ${cpuCount.per(accepted / 1000)}`,
  );
  console.log('mobility database commands during ingestion:');
  for (const line of histogramDelta(dbBefore, dbAfter).slice(0, 8))
    console.log(`  ${line}`);
  if (flags.json !== undefined) await writeJsonResult(flags.json, result);
} finally {
  await city.stop();
}
