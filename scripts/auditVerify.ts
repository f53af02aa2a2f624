/**
 * `npm run audit:verify [-- --chain <id>] [--anchor <chainId>:<seq>:<hash> ...]`
 *
 * Verifies every hash chain of the audit trail in the governance database
 * and prints a report: per chain, intact or the first seq where it breaks
 * and why (edited, deleted, reordered, truncated after its latest signed
 * checkpoint or a given anchor, forged checkpoint), and the head hash to
 * anchor outside the database. Checkpoints are verified with the gateway's
 * public key (`GATEWAY_TOKEN_PUBLIC_KEY_FILE`). Exits 1 if any chain is
 * broken, 2 if it cannot run.
 *
 * The database: `GOVERNANCE_MONGODB_URI`; when unset, the development
 * database `npm start` runs, found in `<DATA_DIR>/dev-services.json`.
 */
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import {
  formatAuditChainReports,
  parseAuditAnchors,
  verifyAuditChain,
} from '../lib/records/audit/index.js';
import { loadConfig, type Config } from '../lib/runtime/config.js';
import { loadGatewayVerifyKey } from '../lib/runtime/gatewayToken.js';
import { devServicesFile, locateDatabase } from '../lib/runtime/devServices.js';

/** The governance database name: the subgraph's own name, as lib/subgraph-kit/subgraphService and the gateway use. */
const DB_NAME = 'governance';

async function governanceUri(config: Readonly<Config>): Promise<string> {
  const location = await locateDatabase(config, 'governance');
  if (!location) {
    throw new Error(
      `GOVERNANCE_MONGODB_URI is not set and ${devServicesFile(config.dataDir)} names no governance database: set GOVERNANCE_MONGODB_URI to the governance database, or run \`npm start\` first to verify the development database.`,
    );
  }
  return location.uri;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      chain: { type: 'string' },
      anchor: { type: 'string', multiple: true, default: [] },
    },
  });
  const config = loadConfig();
  const anchors = parseAuditAnchors(values.anchor);
  const uri = await governanceUri(config);
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  try {
    try {
      await client.connect();
    } catch (error) {
      throw new Error(
        `cannot reach the governance database at ${uri} (${error instanceof Error ? error.message : String(error)}); is it running (\`npm start\` in development)?`,
        { cause: error },
      );
    }
    const checkpointKey = await loadGatewayVerifyKey(
      config.gatewayToken.publicKeyFile,
    ).catch(() => null);
    if (!checkpointKey)
      process.stderr.write(
        `audit:verify: no gateway public key at ${config.gatewayToken.publicKeyFile} (GATEWAY_TOKEN_PUBLIC_KEY_FILE): the signed checkpoints are not checked, only --anchor values\n`,
      );
    const reports = await verifyAuditChain(client.db(DB_NAME), {
      ...(values.chain === undefined ? {} : { chainId: values.chain }),
      anchors,
      ...(checkpointKey ? { checkpointKey } : {}),
    });
    process.stdout.write(
      `Audit trail in ${uri.replace(/\/\/[^@/]*@/, '//***@')} (database ${DB_NAME})\n\n`,
    );
    process.stdout.write(formatAuditChainReports(reports));
    return reports.every((report) => report.ok) ? 0 : 1;
  } finally {
    await client.close();
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(
    `audit:verify: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 2;
}
