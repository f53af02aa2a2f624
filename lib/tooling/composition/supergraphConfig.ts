/**
 * Reads `supergraph.yaml`, rover's supergraph config format, the single
 * source of truth of which subgraphs make the city graph, where the gateway
 * reaches them and where their schemas live.
 * See https://www.apollographql.com/docs/rover/commands/supergraphs#yaml-configuration-file
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

/** One subgraph of the config. */
export interface SupergraphConfigSubgraph {
  /** The subgraph's name, e.g. `mobility`. */
  readonly name: string;
  /** `routing_url`: where the gateway sends its fetches. */
  readonly routingUrl: string;
  /** `schema.file`, resolved against the config file's folder. */
  readonly schemaFile: string;
}

/** The parsed `supergraph.yaml`. */
export interface SupergraphConfig {
  /** Absolute path of the config file. */
  readonly path: string;
  /** `federation_version`, e.g. `=2.9.3`. */
  readonly federationVersion: string;
  /** Subgraphs in file order. */
  readonly subgraphs: readonly SupergraphConfigSubgraph[];
}

/** A subgraph ready to compose: name, routing URL and schema text. */
export interface SubgraphSource {
  readonly name: string;
  readonly url: string;
  readonly sdl: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses a supergraph config from its YAML text. Throws one Error naming
 * every problem found.
 * @param text the YAML document
 * @param configPath the file it came from; relative schema paths resolve against its folder
 */
export function parseSupergraphConfig(
  text: string,
  configPath: string,
): SupergraphConfig {
  const absolute = path.resolve(configPath);
  const base = path.dirname(absolute);
  const doc: unknown = parseYaml(text);
  const problems: string[] = [];
  if (!isRecord(doc))
    throw new Error(`${absolute}: expected a YAML mapping at the top level`);

  const rawVersion = doc['federation_version'];
  const federationVersion =
    rawVersion === undefined ? '=2.9.3' : String(rawVersion).trim();
  // Rover accepts `2`, `=2.x.y`; composition 2.14 composes any Federation 2 version up to 2.12.
  if (!/^=?2(\.\d+){0,2}$/.test(federationVersion)) {
    problems.push(
      `federation_version must be a Federation 2 version such as "=2.9.3", got "${federationVersion}"`,
    );
  }

  const subgraphs: SupergraphConfigSubgraph[] = [];
  const rawSubgraphs = doc['subgraphs'];
  if (!isRecord(rawSubgraphs) || Object.keys(rawSubgraphs).length === 0) {
    problems.push(
      'subgraphs must be a mapping of subgraph names to { routing_url, schema: { file } }',
    );
  } else {
    for (const [name, entry] of Object.entries(rawSubgraphs)) {
      if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) {
        problems.push(
          `subgraph name "${name}" must start with a letter and hold only letters, digits, _ and -`,
        );
      }
      if (!isRecord(entry)) {
        problems.push(`subgraphs.${name} must be a mapping`);
        continue;
      }
      const routingUrl = entry['routing_url'];
      if (typeof routingUrl !== 'string' || routingUrl.trim() === '') {
        problems.push(`subgraphs.${name}.routing_url is required`);
      }
      const schema = entry['schema'];
      const file = isRecord(schema) ? schema['file'] : undefined;
      if (typeof file !== 'string' || file.trim() === '') {
        problems.push(
          `subgraphs.${name}.schema.file is required (only file schemas are supported offline)`,
        );
      }
      if (typeof routingUrl === 'string' && typeof file === 'string') {
        subgraphs.push({
          name,
          routingUrl: routingUrl.trim(),
          schemaFile: path.resolve(base, file.trim()),
        });
      }
    }
  }
  if (problems.length > 0)
    throw new Error(`${absolute} is invalid:\n- ${problems.join('\n- ')}`);
  return { path: absolute, federationVersion, subgraphs };
}

/** Reads and parses a `supergraph.yaml`. */
export async function loadSupergraphConfig(
  configPath: string,
): Promise<SupergraphConfig> {
  const text = await readFile(configPath, 'utf8');
  return parseSupergraphConfig(text, configPath);
}

/**
 * Reads every subgraph's schema file. `overrides` replaces one or more
 * subgraphs' schema text (the candidate under check). Throws naming every
 * missing file.
 */
export async function readSubgraphSources(
  config: SupergraphConfig,
  overrides: Readonly<Record<string, string>> = {},
): Promise<SubgraphSource[]> {
  const missing: string[] = [];
  const sources = await Promise.all(
    config.subgraphs.map(
      async (subgraph): Promise<SubgraphSource | undefined> => {
        const override = overrides[subgraph.name];
        if (override !== undefined)
          return {
            name: subgraph.name,
            url: subgraph.routingUrl,
            sdl: override,
          };
        try {
          const sdl = await readFile(subgraph.schemaFile, 'utf8');
          return { name: subgraph.name, url: subgraph.routingUrl, sdl };
        } catch (error) {
          missing.push(
            `${subgraph.name}: cannot read ${subgraph.schemaFile} (${(error as Error).message})`,
          );
          return undefined;
        }
      },
    ),
  );
  if (missing.length > 0)
    throw new Error(`Subgraph schemas missing:\n- ${missing.join('\n- ')}`);
  return sources.filter(
    (source): source is SubgraphSource => source !== undefined,
  );
}
