/**
 * `npx tsx scripts/benchSeed.ts [--rounds 3]`: how long seeding the four departments takes, as
 * the e2e harness seeds them (tests/e2e/cityGraph.ts: one fresh in-memory localdb per
 * department, the four seeds at once). The localdbs run in this process, so the CPU figure is
 * the whole seed's, database included: the one to compare on a shared machine (docs/ingestion.md,
 * "The seed"). Prints one JSON line per round.
 */
import { parseArgs } from 'node:util';
import { DEPARTMENTS } from '../lib/runtime/config.js';
import { createSilentLogger } from '../lib/runtime/logger.js';
import { startLocalDb } from '../localdb/src/index.js';
import { seedDepartment } from './seed.js';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '3' } },
});
const logger = createSilentLogger();
for (let round = 0; round < Number(values.rounds); round++) {
  const databases = await Promise.all(
    DEPARTMENTS.map(() => startLocalDb({ port: 0, fsync: false })),
  );
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    DEPARTMENTS.map((department, i) =>
      seedDepartment(department, databases[i]?.uri ?? '', logger),
    ),
  );
  const wallMs = Math.round(performance.now() - started);
  const used = process.cpuUsage(cpu);
  console.log(
    JSON.stringify({
      round,
      wallMs,
      cpuMs: Math.round((used.user + used.system) / 1000),
    }),
  );
  await Promise.all(databases.map((db) => db.stop()));
}
process.exit(0);
