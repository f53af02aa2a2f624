// Lint rules the style guide ("TypeScript and tooling", "Config") asks CI to
// enforce, plus the recommended syntax rules of ESLint and typescript-eslint
// and three type-aware promise rules (see the note on `tseslint.configs`).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import n from 'eslint-plugin-n';
import tseslint from 'typescript-eslint';

/** Files that may import devDependencies (vitest, typescript, ...). */
const TEST_FILES = [
  '**/*.test.ts',
  '**/test/**',
  'tests/**',
  'lib/tooling/testing/**',
  'localdb/bench/**',
  // Benchmarks drive a peer gateway and a load generator (devDependencies).
  'scripts/benchGateway.ts',
  'scripts/bench/**',
  'vitest.config.ts',
  'eslint.config.js',
  // Build-time code generation config (dev tooling), root and per subgraph.
  'codegen.ts',
  'subgraphs/*/codegen.ts',
];

/**
 * The departments: one folder each under subgraphs/ (a new one is picked up
 * without editing this file).
 */
const DEPARTMENTS = readdirSync(path.join(import.meta.dirname, 'subgraphs'), {
  withFileTypes: true,
})
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/**
 * Who may import whom (docs/contributing.md, "Folder map"). Each zone
 * forbids files under `target` to import files under `from`; the message
 * says where the code should go instead. Paths are relative to this file.
 */
const BOUNDARY_ZONES = [
  {
    target: './lib',
    from: ['./gateway', './subgraphs', './scripts'],
    message:
      'lib/ is shared by the gateway, the subgraphs and the tools: it never imports them. Move what both need into lib/ (runtime, subgraph-kit, gateway, records or tooling), or pass it in as a dependency.',
  },
  ...DEPARTMENTS.map((department) => ({
    target: `./subgraphs/${department}`,
    from: DEPARTMENTS.filter((other) => other !== department).map(
      (other) => `./subgraphs/${other}`,
    ),
    message: `A department never imports another department (${department} owns its data; the others reach it through the supergraph). Share code through lib/subgraph-kit, or extend the other department's entity with @key.`,
  })),
  {
    target: './localdb',
    from: './',
    except: ['./localdb', './node_modules'],
    message:
      'localdb/ is a stand-alone MongoDB-wire server: it imports nothing from the rest of the repository. Copy the few lines it needs into localdb/src.',
  },
  {
    target: './lib/runtime',
    from: [
      './lib/subgraph-kit',
      './lib/gateway',
      './lib/records',
      './lib/tooling',
      './lib/ingest',
    ],
    message:
      'lib/runtime is the base every process stands on: it imports no other lib/ folder. Move the code into the folder of its audience instead.',
  },
  {
    target: './lib/records',
    from: [
      './lib/subgraph-kit',
      './lib/gateway',
      './lib/tooling',
      './lib/ingest',
    ],
    message:
      'lib/records (access rules, audit trail, usage) is read by gateway, subgraphs and tools alike: it may import only lib/runtime.',
  },
  {
    target: './lib/ingest',
    from: [
      './lib/subgraph-kit',
      './lib/gateway',
      './lib/records',
      './lib/tooling',
    ],
    message:
      'lib/ingest (NGSI parsing, the pipeline, the quality model) is shared by the gateway, the departments and the import and MQTT tools: it may import only lib/runtime. Pass what is specific in (handlers, geography, stores).',
  },
  {
    target: ['./gateway', './lib/gateway'],
    from: './lib/subgraph-kit',
    message:
      'lib/subgraph-kit is for department subgraphs only; what the gateway shares with them belongs in lib/runtime or lib/records.',
  },
  {
    target: ['./subgraphs', './lib/subgraph-kit'],
    from: './lib/gateway',
    message:
      'lib/gateway is for the gateway only; what a subgraph shares with it belongs in lib/runtime or lib/records.',
  },
  {
    target: [
      './gateway/src',
      './subgraphs/*/src/**',
      './lib/runtime',
      './lib/subgraph-kit',
      './lib/gateway',
      './lib/records',
      './lib/ingest',
    ],
    from: './lib/tooling',
    message:
      'lib/tooling (composition, test helpers) is for scripts and tests; production code never loads it.',
  },
];

/** Production code never imports tests or their fixtures. */
const NO_TEST_IMPORT_ZONES = [
  {
    target: ['./gateway', './subgraphs', './lib', './scripts', './localdb'],
    from: ['./tests/**', './**/test/**', './**/*.test.ts'],
    message:
      'Production code never imports tests or their fixtures: move the shared piece next to the production code that needs it (tests may import production code, not the reverse).',
  },
];

export default defineConfig(
  {
    ignores: [
      'node_modules/**',
      '.data/**',
      'supergraph.graphql',
      'lib/subgraph-kit/data/**',
      'localdb/bench/_*',
      '**/__generated__/**',
    ],
  },
  js.configs.recommended,
  {
    // mongosh scripts generated by `npm run deploy:manifests` (scripts/shardKeys.ts): mongosh's globals.
    files: ['deploy/mongodb/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: { db: 'readonly', print: 'readonly', quit: 'readonly' },
    },
  },
  // tseslint's recommended (syntax-only) rules. Of the type-checked ones only
  // the promise rules are on (unhandled or misused promises are real bugs in
  // servers); the rest of recommendedTypeChecked (no-unsafe-*, require-await)
  // would mean rewriting working code. Type-aware parsing doubles the run
  // (about 13 s to 27 s on 2 cores), still well under the 60 s budget.
  tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
    },
    plugins: { n, 'import-x': importX },
    settings: {
      // The TypeScript resolver maps the `.js` specifiers of our ESM imports
      // to their `.ts` files: without it import-x sees no file behind them
      // and the boundary rules below would never fire.
      'import-x/resolver-next': [createTypeScriptImportResolver()],
    },
    rules: {
      // Only lib/runtime/config.ts reads the environment (style guide, "Config").
      'n/no-process-env': 'error',
      // `const { omitted: _omitted, ...rest } = x` is how the code drops a
      // member (tsc's noUnusedLocals accepts it too).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { ignoreRestSiblings: true },
      ],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        {
          prefer: 'type-imports',
          fixStyle: 'inline-type-imports',
        },
      ],
      'import-x/no-extraneous-dependencies': [
        'error',
        {
          // The example apps (examples/) stand for the city's apps: their
          // client libraries are devDependencies here, tested in CI.
          devDependencies: [...TEST_FILES, 'examples/**'],
          optionalDependencies: false,
          // A type-only import of a transitive package breaks as easily as a
          // value import when that package moves: list it too.
          includeTypes: true,
          peerDependencies: false,
        },
      ],
      'import-x/no-default-export': 'error',
      // The base rule cannot tell `import type` apart; the TS one can.
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'mongoose',
              message:
                'Mongoose belongs in subgraphs/*/src/models and loaders, lib/subgraph-kit/models, lib/runtime/mongo.ts and tests; elsewhere use `import type`.',
              allowTypeImports: true,
            },
          ],
          patterns: [
            {
              group: ['mongoose/*'],
              message:
                'Mongoose belongs in subgraphs/*/src/models and loaders, lib/subgraph-kit/models, lib/runtime/mongo.ts and tests.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    // The places that own the database layer.
    files: [
      'subgraphs/*/src/models/**',
      'subgraphs/*/src/loaders/**',
      // The models every department shares (compiled on its own connection).
      'lib/subgraph-kit/models/**',
      'lib/runtime/mongo.ts',
      'lib/tooling/testing/**',
      'localdb/**/*.test.ts',
      'tests/**',
      '**/*.test.ts',
    ],
    rules: { '@typescript-eslint/no-restricted-imports': 'off' },
  },
  {
    // Resolvers reach data only through their department's loaders
    // (per-key batches) and query module (src/queries): one place per
    // department says what is read and written, and how it is indexed.
    files: ['subgraphs/*/src/resolvers/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[property.name='models']",
          message:
            'Resolvers reach data through ctx.loaders (per-key batches) or ctx.queries (src/queries/index.ts of the department), never through the models.',
        },
      ],
    },
  },
  {
    // The one module that reads process.env (style guide, "Config").
    files: ['lib/runtime/config.ts'],
    rules: { 'n/no-process-env': 'off' },
  },
  {
    // Config files whose tools require a default export.
    files: ['eslint.config.js', 'vitest.config.ts', 'codegen.ts'],
    rules: { 'import-x/no-default-export': 'off' },
  },
  {
    files: ['**/*.ts', '**/*.js'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          basePath: import.meta.dirname,
          zones: [...BOUNDARY_ZONES, ...NO_TEST_IMPORT_ZONES],
        },
      ],
    },
  },
  {
    // Tests may import tests (fixtures, shared scenarios); every other
    // boundary holds for them too.
    files: TEST_FILES,
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        { basePath: import.meta.dirname, zones: BOUNDARY_ZONES },
      ],
    },
  },
);
