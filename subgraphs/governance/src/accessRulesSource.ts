/**
 * The access rules of the supergraph the gateway serves, read from
 * `config.gateway.supergraphPath` and read again whenever the file changes
 * (size or modification time), so `accessRules` always lists what is
 * currently composed.
 */
import { readFile, stat } from 'node:fs/promises';
import {
  readAccessRules,
  type AccessRule,
} from '../../../lib/records/access/index.js';

/** Where `accessRules` gets the rules. */
export interface AccessRulesSource {
  /** The rules of the current supergraph file. @throws Error when the file cannot be read or parsed. */
  current(): Promise<readonly AccessRule[]>;
}

/** Reads the rules from a supergraph file, re-reading it when it changes. */
export function createAccessRulesSource(
  supergraphPath: string,
): AccessRulesSource {
  let cached: { version: string; rules: readonly AccessRule[] } | null = null;
  let loading: Promise<readonly AccessRule[]> | null = null;
  return {
    async current() {
      const info = await stat(supergraphPath).catch(
        (error: NodeJS.ErrnoException) => {
          throw new Error(
            `cannot read the supergraph at ${supergraphPath} (${error.code ?? error.message})`,
          );
        },
      );
      const version = `${info.size}:${info.mtimeMs}`;
      if (cached?.version === version) return cached.rules;
      loading ??= (async () => {
        try {
          const rules = Object.freeze(
            readAccessRules(await readFile(supergraphPath, 'utf8')).fields,
          );
          cached = { version, rules };
          return rules;
        } finally {
          loading = null;
        }
      })();
      return loading;
    },
  };
}
