/**
 * `npm run import -- <department> <file>`: a registry file into a
 * department's database, through that department's own ingestion pipeline
 * (the same checks, quarantine and events as the NGSI endpoints), streamed
 * in batches of 1,000 (docs/ingestion.md, "Files"):
 *
 *   npm run import -- economy StockEtablissement_13.csv   # SIRENE establishments
 *   npm run import -- mobility gtfs/stops.txt             # GTFS stops (and routes.txt)
 *   npm run import -- mobility readings.ndjson            # NGSI-LD entities, one per line
 *   npm run import -- environment batch.json              # an NGSI-LD array
 *
 * A progress line on a terminal (stderr), then a report: read, accepted,
 * already stored, flagged, rejected by reason. Re-running it adds nothing
 * (every record's id is deterministic). Records carry the source
 * `{ kind: IMPORT, id: <file name> }`. Uses `<DEPT>_MONGODB_URI`, or the
 * databases `npm start` is running.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { parse } from 'csv-parse';
import type {
  IngestOutcome,
  IngestPipeline,
} from '../lib/ingest/createIngestPipeline.js';
import {
  DEPARTMENTS,
  loadConfig,
  type Department,
} from '../lib/runtime/config.js';
import { locateDatabase } from '../lib/runtime/devServices.js';
import { createLogger, type Logger } from '../lib/runtime/logger.js';
import { connectDatabase } from '../lib/runtime/mongo.js';
import { createOutboxPublisher } from '../lib/subgraph-kit/eventOutbox.js';
import { createIngest as economyIngest } from '../subgraphs/economy/src/ingest/index.js';
import { createModels as economyModels } from '../subgraphs/economy/src/models/index.js';
import { createIngest as engagementIngest } from '../subgraphs/engagement/src/ingest/index.js';
import { createModels as engagementModels } from '../subgraphs/engagement/src/models/index.js';
import { createIngest as environmentIngest } from '../subgraphs/environment/src/ingest/index.js';
import { createModels as environmentModels } from '../subgraphs/environment/src/models/index.js';
import { createIngest as mobilityIngest } from '../subgraphs/mobility/src/ingest/index.js';
import { createModels as mobilityModels } from '../subgraphs/mobility/src/models/index.js';
import type { Connection } from 'mongoose';

/** Records handed to the pipeline at once. */
const BATCH = 1000;

/** What an import did. */
export interface ImportReport {
  readonly file: string;
  readonly department: Department;
  read: number;
  /** Stored now. */
  created: number;
  /** Already stored (a re-run, a duplicate line). */
  duplicate: number;
  /** Stored with quality flags, by flag. */
  flagged: Record<string, number>;
  /** Rejected (kept in the quarantine), by reason. */
  rejected: Record<string, number>;
  /** Not stored now (send again): the database failed. */
  failed: number;
  /** A few rejections with their line and detail. */
  examples: { line: number; reason: string; detail: string }[];
}

/** The department's pipeline over `connection`, its events into its outbox. */
export function departmentPipeline(
  department: Department,
  connection: Connection,
  logger: Logger,
): IngestPipeline {
  const deps = {
    connection,
    logger,
    events: createOutboxPublisher({ connection }),
  };
  switch (department) {
    case 'mobility':
      return mobilityIngest(mobilityModels(connection), deps);
    case 'environment':
      return environmentIngest(environmentModels(connection), deps);
    case 'economy':
      return economyIngest(economyModels(connection), deps);
    case 'engagement':
      return engagementIngest(engagementModels(connection), deps);
  }
}

/**
 * A SIRENE StockEtablissement row (INSEE's CSV, column names as published)
 * as the economy's `Business` entity (NGSI-LD concise).
 */
export function sireneEntity(
  row: Record<string, string>,
): Record<string, unknown> {
  const siret = row['siret'] ?? `${row['siren'] ?? ''}${row['nic'] ?? ''}`;
  const name =
    row['enseigne1Etablissement'] ||
    row['denominationUsuelleEtablissement'] ||
    row['denominationUniteLegale'] ||
    undefined;
  return {
    id: `urn:ngsi-ld:Business:${siret}`,
    type: 'Business',
    siret,
    ...(name ? { name } : {}),
    codeCommune: row['codeCommuneEtablissement'] ?? '',
    activitePrincipale: row['activitePrincipaleEtablissement'] ?? '',
    trancheEffectifs: row['trancheEffectifsEtablissement'] ?? '',
    dateCreation: row['dateCreationEtablissement'] ?? '',
    ...(row['etatAdministratifEtablissement']
      ? { etatAdministratif: row['etatAdministratifEtablissement'] }
      : {}),
  };
}

/**
 * A GTFS `stops.txt` row as mobility's `GtfsStop` entity (FIWARE
 * UrbanMobility, NGSI-LD concise), or null for what is not a stop or station
 * a traveller waits at (entrances, generic nodes, boarding areas:
 * `location_type` 2 to 4).
 */
export function gtfsStopEntity(
  row: Record<string, string>,
): Record<string, unknown> | null {
  const type = (row['location_type'] ?? '').trim();
  if (type !== '' && type !== '0' && type !== '1') return null;
  const lat = Number(row['stop_lat']);
  const lon = Number(row['stop_lon']);
  return {
    // The graph's own NGSI id of the stop it becomes (docs/ingestion.md, "NGSI ids").
    id: `urn:ngsi-ld:GtfsStop:gtfs-stop-${row['stop_id'] ?? ''}`,
    type: 'GtfsStop',
    name: row['stop_name'] ?? '',
    ...(row['stop_code'] ? { code: row['stop_code'] } : {}),
    location:
      row['stop_lat'] && row['stop_lon']
        ? { type: 'Point', coordinates: [lon, lat] }
        : null,
  };
}

/** A GTFS `routes.txt` row as mobility's `GtfsRoute` entity (FIWARE UrbanMobility, concise). */
export function gtfsRouteEntity(
  row: Record<string, string>,
): Record<string, unknown> {
  return {
    id: `urn:ngsi-ld:GtfsRoute:gtfs-route-${row['route_id'] ?? ''}`,
    type: 'GtfsRoute',
    shortName: row['route_short_name'] ?? '',
    name: row['route_long_name'] ?? '',
    routeType: row['route_type'] ?? '',
  };
}

/** The GTFS files `npm run import` takes, by file name, and their row mappers. */
const GTFS_FILES: Record<
  string,
  (row: Record<string, string>) => Record<string, unknown> | null
> = { 'stops.txt': gtfsStopEntity, 'routes.txt': gtfsRouteEntity };

/** Rows of a CSV file (GTFS and SIRENE alike: a header line, UTF-8, maybe a BOM). */
function csvRows(file: string): AsyncIterable<Record<string, string>> {
  return createReadStream(file).pipe(
    parse({
      columns: true,
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
    }),
  ) as AsyncIterable<Record<string, string>>;
}

/** The records of a file, one at a time, with their line (or row) number. */
async function* recordsOf(
  file: string,
  department: Department,
): AsyncGenerator<{ line: number; entity: unknown }> {
  const ext = path.extname(file).toLowerCase();
  const gtfs = GTFS_FILES[path.basename(file).toLowerCase()];
  if (gtfs) {
    if (department !== 'mobility')
      throw new Error(
        'GTFS files (stops.txt, routes.txt) are transit (mobility); import them with `npm run import -- mobility <file>`.',
      );
    let line = 1;
    for await (const row of csvRows(file)) {
      line += 1;
      const entity = gtfs(row);
      if (entity !== null) yield { line, entity };
    }
    return;
  }
  if (ext === '.csv') {
    if (department !== 'economy')
      throw new Error(
        'CSV files are SIRENE establishments (economy); send other departments NGSI-LD (.json, .ndjson).',
      );
    let line = 1;
    for await (const row of csvRows(file)) {
      line += 1;
      // Marseille's establishments only (its 16 arrondissements); the
      // national stock has every commune of France.
      if (!/^132(0[1-9]|1[0-6])$/.test(row['codeCommuneEtablissement'] ?? ''))
        continue;
      // Closed establishments are history, not businesses of the city.
      if (row['etatAdministratifEtablissement'] === 'F') continue;
      yield { line, entity: sireneEntity(row) };
    }
    return;
  }
  if (ext === '.ndjson' || ext === '.jsonl') {
    const lines = createInterface({ input: createReadStream(file) });
    let line = 0;
    for await (const text of lines) {
      line += 1;
      if (text.trim() === '') continue;
      let entity: unknown;
      try {
        entity = JSON.parse(text);
      } catch {
        entity = { malformed: text.slice(0, 200) };
      }
      yield { line, entity };
    }
    return;
  }
  if (ext === '.json' || ext === '.jsonld') {
    // An NGSI-LD batch file: an array (read whole; use .ndjson for large files).
    const { readFile } = await import('node:fs/promises');
    const body: unknown = JSON.parse(await readFile(file, 'utf8'));
    const list = Array.isArray(body) ? body : [body];
    let index = 0;
    for (const entity of list) yield { line: ++index, entity };
    return;
  }
  throw new Error(
    `${file}: expected .csv (SIRENE), stops.txt or routes.txt (GTFS), .ndjson/.jsonl or .json/.jsonld (NGSI-LD entities)`,
  );
}

/** Options of {@link importFile}. */
export interface ImportOptions {
  readonly department: Department;
  readonly file: string;
  readonly pipeline: IngestPipeline;
  /** Called after each batch (the progress line). */
  readonly onProgress?: (report: ImportReport, bytesRead: number) => void;
}

/** Streams a file through the department's pipeline; the report. */
export async function importFile(
  options: ImportOptions,
): Promise<ImportReport> {
  const report: ImportReport = {
    file: path.basename(options.file),
    department: options.department,
    read: 0,
    created: 0,
    duplicate: 0,
    flagged: {},
    rejected: {},
    failed: 0,
    examples: [],
  };
  const source = { kind: 'import' as const, id: report.file };
  let batch: { line: number; entity: unknown }[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const outcomes = await options.pipeline.ingest({
      format: 'ngsi-ld',
      entities: batch.map((b) => b.entity),
      source,
      receivedAt: new Date(),
    });
    outcomes.forEach((outcome: IngestOutcome, k) => {
      if (outcome.status === 'created') {
        report.created += 1;
        for (const flag of outcome.flags)
          report.flagged[flag] = (report.flagged[flag] ?? 0) + 1;
      } else if (outcome.status === 'duplicate') report.duplicate += 1;
      else if (outcome.status === 'failed') report.failed += 1;
      else if (outcome.status === 'rejected') {
        report.rejected[outcome.reason] =
          (report.rejected[outcome.reason] ?? 0) + 1;
        if (report.examples.length < 10)
          report.examples.push({
            line: batch[k]?.line ?? 0,
            reason: outcome.reason,
            detail: outcome.detail,
          });
      }
    });
    batch = [];
    options.onProgress?.(report, 0);
  };
  for await (const record of recordsOf(options.file, options.department)) {
    report.read += 1;
    batch.push(record);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  return report;
}

/** The report as text for a terminal. */
export function formatReport(report: ImportReport): string {
  const rejected = Object.values(report.rejected).reduce((a, b) => a + b, 0);
  const flagged = Object.values(report.flagged).reduce((a, b) => a + b, 0);
  const lines = [
    `${report.file} → ${report.department}`,
    `  read      ${report.read}`,
    `  accepted  ${report.created + report.duplicate} (${report.created} new, ${report.duplicate} already stored)`,
    `  flagged   ${flagged}${
      flagged
        ? ` (${Object.entries(report.flagged)
            .map(([f, n]) => `${f} ${n}`)
            .join(', ')})`
        : ''
    }`,
    `  rejected  ${rejected}${
      rejected
        ? ` (${Object.entries(report.rejected)
            .map(([r, n]) => `${r} ${n}`)
            .join(', ')}; kept in the ${report.department} quarantine)`
        : ''
    }`,
    ...(report.failed
      ? [`  failed    ${report.failed} (not stored now: run the import again)`]
      : []),
    ...report.examples.map(
      (e) => `    line ${e.line}: ${e.reason}: ${e.detail}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

async function main(argv: readonly string[]): Promise<number> {
  const [department, file] = argv;
  if (
    !department ||
    !(DEPARTMENTS as readonly string[]).includes(department) ||
    !file
  ) {
    process.stderr.write(
      `Usage: npm run import -- <${DEPARTMENTS.join('|')}> <file.csv|file.ndjson|file.json>\n`,
    );
    return 2;
  }
  const dept = department as Department;
  const config = loadConfig();
  const logger = createLogger({
    service: 'import',
    level: config.logLevel === 'info' ? 'warn' : config.logLevel,
    format: config.logFormat,
  });
  const location = await locateDatabase(config, dept);
  if (!location) {
    process.stderr.write(
      `No database for ${dept}: set ${dept.toUpperCase()}_MONGODB_URI, or run \`npm start\`.\n`,
    );
    return 1;
  }
  const size = (await stat(file)).size;
  const connection = await connectDatabase({ uri: location.uri, dbName: dept });
  const started = performance.now();
  const tty = process.stderr.isTTY;
  try {
    const report = await importFile({
      department: dept,
      file,
      pipeline: departmentPipeline(dept, connection, logger),
      onProgress: (r) => {
        if (!tty) return;
        const seconds = (performance.now() - started) / 1000;
        process.stderr.write(
          `\r${r.read} records (${Math.round(r.read / Math.max(seconds, 0.001))}/s) of ${(size / 1e6).toFixed(1)} MB`,
        );
      },
    });
    if (tty) process.stderr.write('\n');
    process.stdout.write(formatReport(report));
    return report.failed > 0 ? 1 : 0;
  } finally {
    await connection.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
