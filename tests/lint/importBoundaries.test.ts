/**
 * The import boundaries of eslint.config.js (docs/contributing.md, "Folder
 * map") fire: each case lints a one-line snippet as if it lived at `at`,
 * importing a real file of the repository, through the ESLint Node API and
 * the project's own configuration.
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const RULE = 'import-x/no-restricted-paths';

// Only the boundary rule, without type-aware parsing: the snippets are not
// files of the TypeScript project, and the rule needs no types.
const eslint = new ESLint({
  cwd: root,
  ruleFilter: ({ ruleId }) => ruleId === RULE,
  overrideConfig: [
    {
      files: ['**/*.ts'],
      languageOptions: {
        parserOptions: { projectService: false, project: null },
      },
    },
  ],
});

/** The boundary messages ESLint reports for `code` placed at `at`. */
async function boundaryErrors(at: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, {
    filePath: path.join(root, at),
  });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === RULE)
    .map((message) => message.message);
}

describe('import boundaries', () => {
  // The first run loads the configuration, parser and resolver (seconds on
  // a busy machine); the cases after it take milliseconds.
  beforeAll(async () => {
    await boundaryErrors('lib/runtime/example.ts', 'export {};');
  }, 60_000);

  it.each([
    {
      rule: 'lib/ingest imports lib/subgraph-kit',
      at: 'lib/ingest/example.ts',
      code: "import { DISTRICTS } from '../subgraph-kit/districts.js';",
      says: 'lib/ingest (NGSI parsing',
    },
    {
      rule: 'lib/runtime imports lib/ingest',
      at: 'lib/runtime/example.ts',
      code: "import { INGEST_TYPES } from '../ingest/ingestTypes.js';",
      says: 'lib/runtime is the base',
    },
    {
      rule: 'lib imports a subgraph',
      at: 'lib/subgraph-kit/example.ts',
      code: "import { typeDefs } from '../../subgraphs/economy/src/server.js';",
      says: 'lib/ is shared',
    },
    {
      rule: 'lib imports the gateway',
      at: 'lib/runtime/example.ts',
      code: "import { createGateway } from '../../gateway/src/server.js';",
      says: 'lib/ is shared',
    },
    {
      rule: 'a department imports another department',
      at: 'subgraphs/economy/src/example.ts',
      code: "import { typeDefs } from '../../mobility/src/server.js';",
      says: 'never imports another department',
    },
    {
      rule: 'a department test imports another department',
      at: 'subgraphs/economy/test/example.test.ts',
      code: "import { createModels } from '../../engagement/src/models/index.js';",
      says: 'never imports another department',
    },
    {
      rule: 'production code imports a test fixture',
      at: 'gateway/src/example.ts',
      code: "import { createAuditedServer } from '../test/auditFixture.js';",
      says: 'never imports tests',
    },
    {
      rule: 'production code imports a test file',
      at: 'subgraphs/economy/src/example.ts',
      code: "import '../test/economy.int.test.js';",
      says: 'never imports tests',
    },
    {
      rule: 'localdb imports lib',
      at: 'localdb/src/example.ts',
      code: "import { ErrorCode } from '../../lib/runtime/errors.js';",
      says: 'localdb/ is a stand-alone',
    },
    {
      rule: 'localdb imports a shared test helper',
      at: 'localdb/src/example.ts',
      code: "import { startCityGraph } from '../../tests/e2e/cityGraph.js';",
      says: 'localdb/ is a stand-alone',
    },
    {
      rule: 'localdb imports its own tests',
      at: 'localdb/src/example.ts',
      code: "import { startTestDb } from '../test/startTestDb.js';",
      says: 'never imports tests',
    },
    {
      rule: 'lib/runtime imports another lib folder',
      at: 'lib/runtime/example.ts',
      code: "import { paginate } from '../subgraph-kit/pagination.js';",
      says: 'lib/runtime is the base',
    },
    {
      rule: 'the gateway imports the subgraph kit',
      at: 'gateway/src/example.ts',
      code: "import { paginate } from '../../lib/subgraph-kit/pagination.js';",
      says: 'lib/subgraph-kit is for department subgraphs only',
    },
    {
      rule: 'production code imports lib/tooling',
      at: 'subgraphs/economy/src/example.ts',
      code: "import { composeSupergraph } from '../../../lib/tooling/composition/index.js';",
      says: 'lib/tooling',
    },
  ])('fails when $rule', async ({ at, code, says }) => {
    const errors = await boundaryErrors(at, code);
    // Several zones may catch one import (a localdb import of a test is
    // both): the one this case is about must be among them.
    expect(errors).toContainEqual(expect.stringContaining(says));
  });

  it.each([
    {
      case: 'a department imports lib',
      at: 'subgraphs/economy/src/example.ts',
      code: "import { paginate } from '../../../lib/subgraph-kit/pagination.js';",
    },
    {
      case: 'a test imports a fixture',
      at: 'gateway/test/example.test.ts',
      code: "import { createAuditedServer } from './auditFixture.js';",
    },
    {
      case: 'localdb imports itself and its packages',
      at: 'localdb/src/example.ts',
      code: "import { BSON } from 'bson';\nimport { LocalDbServer } from './server/LocalDbServer.js';",
    },
  ])('allows $case', async ({ at, code }) => {
    expect(await boundaryErrors(at, code)).toEqual([]);
  });
});
