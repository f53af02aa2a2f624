// Lint rules the style guide ("TypeScript and tooling", "Config") asks CI to
// enforce, plus the recommended syntax rules of ESLint and typescript-eslint
// and three type-aware promise rules (see the note on `tseslint.configs`).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import n from 'eslint-plugin-n';
import tseslint from 'typescript-eslint';

/** Files that may import devDependencies (vitest, typescript, ...). */
const TEST_FILES = [
  '**/*.test.ts',
  '**/test/**',
  'tests/**',
  'lib/testing/**',
  'localdb/bench/**',
  'vitest.config.ts',
  'eslint.config.js',
  // Build-time code generation config (dev tooling), root and per subgraph.
  'codegen.ts',
  'subgraphs/*/codegen.ts',
];

export default defineConfig(
  {
    ignores: [
      'node_modules/**',
      '.data/**',
      'supergraph.graphql',
      'lib/data/**',
      'localdb/bench/_*',
      '**/__generated__/**',
    ],
  },
  js.configs.recommended,
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
      'import-x/resolver-next': [createNodeResolver()],
    },
    rules: {
      // Only lib/config.ts reads the environment (style guide, "Config").
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
          devDependencies: TEST_FILES,
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
                'Mongoose belongs in subgraphs/*/src/models and loaders, lib/mongo.ts and tests; elsewhere use `import type`.',
              allowTypeImports: true,
            },
          ],
          patterns: [
            {
              group: ['mongoose/*'],
              message:
                'Mongoose belongs in subgraphs/*/src/models and loaders, lib/mongo.ts and tests.',
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
      'lib/mongo.ts',
      'lib/testing/**',
      'localdb/**/*.test.ts',
      'tests/**',
      '**/*.test.ts',
    ],
    rules: { '@typescript-eslint/no-restricted-imports': 'off' },
  },
  {
    // The one module that reads process.env (style guide, "Config").
    files: ['lib/config.ts'],
    rules: { 'n/no-process-env': 'off' },
  },
  {
    // Config files whose tools require a default export.
    files: ['eslint.config.js', 'vitest.config.ts', 'codegen.ts'],
    rules: { 'import-x/no-default-export': 'off' },
  },
);
