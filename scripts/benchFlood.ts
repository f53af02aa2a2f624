/**
 * `npm run bench:flood [-- --requests 200] [--rounds 3] [--flooders 16]`
 *
 * Flood fairness (issue 9, finding 5): how much a flood from one caller
 * slows another caller. Two gateways run as child processes (createGateway
 * over one small subgraph, scripts/inProcessGateway.ts), the same except
 * for the rate limit: one with the default per-caller limit, one with none
 * (the peer: what the flood costs without the limiter). For each, in
 * alternating rounds after a warm-up, a calm caller sends `requests`
 * sequential queries alone, then again while `flooders` concurrent loops
 * flood as another caller from a process of their own. Prints the calm caller's p50 alone and under
 * the flood (median of the rounds' medians), the ratio, and what share of
 * the flood was answered 429, as JSON (docs/access-control.md, section 7).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { startInProcessGateway } from './inProcessGateway.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '3' },
    flooders: { type: 'string', default: '16' },
    serve: { type: 'string' },
    flood: { type: 'string' },
    subject: { type: 'string', default: 'flooder' },
    'settle-on-429': { type: 'boolean', default: false },
  },
});

async function startChild(
  limit: string,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL(import.meta.url).pathname, '--serve', limit],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({
    input: child.stdout as NodeJS.ReadableStream,
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`gateway exited with ${code}`)),
    );
    lines.once('line', resolve);
  });
  return { url, child };
}

const BODY = JSON.stringify({
  query: '{ hello district(code: "13201") { name } }',
});

async function post(url: string, subject: string): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer good:${subject}`,
    },
    body: BODY,
  });
  await response.arrayBuffer();
  return response.status;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The calm caller's latencies over `count` sequential requests. */
async function calm(
  url: string,
  count: number,
  subject: string,
): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const status = await post(url, subject);
    times.push(performance.now() - started);
    if (status !== 200) throw new Error(`calm caller answered ${status}`);
  }
  return times;
}

/**
 * Floods `url` as one caller from a child process (a flooder is another
 * machine, not a task in the calm caller's event loop) while the calm
 * caller runs; returns the calm caller's p50 and the flood's 429 share.
 */
async function underFlood(
  url: string,
  count: number,
  flooders: number,
  round: number,
  expectRefusals: boolean,
): Promise<{ p50: number; refusedShare: number }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      new URL(import.meta.url).pathname,
      '--flood',
      url,
      '--flooders',
      String(flooders),
      '--subject',
      `flooder-${round}`,
      ...(expectRefusals ? ['--settle-on-429'] : []),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({
    input: child.stdout as NodeJS.ReadableStream,
  });
  const next = () =>
    new Promise<string>((resolve, reject) => {
      child.once('exit', (code) =>
        reject(new Error(`flooder exited with ${code}`)),
      );
      lines.once('line', resolve);
    });
  // The flood is in its steady state: the limiter's budget is spent (the
  // first 429), or it has run half a second without a limiter.
  await next();
  const times = await calm(url, count, `calm-flood-${round}`);
  const counts = next();
  child.kill('SIGTERM');
  const { sent, refused } = JSON.parse(await counts) as {
    sent: number;
    refused: number;
  };
  return { p50: median(times), refusedShare: sent === 0 ? 0 : refused / sent };
}

/** Child: floods `--flood` until SIGTERM, then prints what it sent since it settled. */
async function flood(url: string): Promise<void> {
  let running = true;
  let sent = 0;
  let refused = 0;
  let settled = false;
  const settle = () => {
    if (settled) return;
    settled = true;
    sent = 0;
    refused = 0;
    process.stdout.write('settled\n');
  };
  if (!values['settle-on-429']) setTimeout(settle, 500);
  // At most 30 s to reach the limit.
  setTimeout(settle, 30_000);
  process.once('SIGTERM', () => {
    running = false;
  });
  await Promise.all(
    Array.from({ length: Number(values.flooders) }, async () => {
      while (running) {
        const status = await post(url, values.subject);
        sent += 1;
        if (status === 429) {
          refused += 1;
          settle();
        }
      }
    }),
  );
  process.stdout.write(`${JSON.stringify({ sent, refused })}\n`);
  process.exit(0);
}

async function main(): Promise<void> {
  const count = Number(values.requests);
  const rounds = Number(values.rounds);
  const flooders = Number(values.flooders);
  const limited = await startChild('1200');
  const unlimited = await startChild('0');
  try {
    for (const target of [limited, unlimited])
      await calm(target.url, 100, 'warm-up');
    const alone: number[] = [];
    const floodLimited: number[] = [];
    const floodUnlimited: number[] = [];
    const refusedShares: number[] = [];
    for (let round = 0; round < rounds; round++) {
      alone.push(median(await calm(limited.url, count, `calm-alone-${round}`)));
      const withLimit = await underFlood(
        limited.url,
        count,
        flooders,
        round,
        true,
      );
      floodLimited.push(withLimit.p50);
      refusedShares.push(withLimit.refusedShare);
      floodUnlimited.push(
        (await underFlood(unlimited.url, count, flooders, round, false)).p50,
      );
    }
    const result = {
      command: `npm run bench:flood -- --requests ${count} --rounds ${rounds} --flooders ${flooders}`,
      calmP50AloneMs: Number(median(alone).toFixed(2)),
      calmP50UnderFloodWithLimitMs: Number(median(floodLimited).toFixed(2)),
      calmP50UnderFloodWithoutLimitMs: Number(
        median(floodUnlimited).toFixed(2),
      ),
      ratioWithLimit: Number((median(floodLimited) / median(alone)).toFixed(2)),
      ratioWithoutLimit: Number(
        (median(floodUnlimited) / median(alone)).toFixed(2),
      ),
      floodAnswered429Share: Number(median(refusedShares).toFixed(3)),
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    limited.child.kill('SIGTERM');
    unlimited.child.kill('SIGTERM');
  }
}

if (values.serve !== undefined) {
  // Child: one gateway with RATE_LIMIT_REQUESTS = --serve; prints its URL.
  const gateway = await startInProcessGateway({
    env: { RATE_LIMIT_REQUESTS: values.serve, RATE_LIMIT_WINDOW_MS: '60000' },
    keepLogs: false,
  });
  process.stdout.write(`${gateway.url}\n`);
  process.once('SIGTERM', () => {
    void gateway.stop().then(() => process.exit(0));
  });
} else if (values.flood !== undefined) {
  await flood(values.flood);
} else {
  await main();
}
