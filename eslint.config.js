// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

// The built-in error constructors, as an esquery pattern for a callee's name.
const BUILT_IN_ERROR = '/^(Aggregate|Eval|Range|Reference|Suppressed|Syntax|Type|URI)?Error$/';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'coverage/',
      '**/fixtures/',
      'bench/.work/',
      'demo-campaign/',
    ],
  },
  eslint.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': [
        'off',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // Every error retort throws says whether a retry can help and whether it is the user's to
    // fix: a RetortError subclass, never a built-in error. Tests, benchmarks and scripts may
    // throw what they like.
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    ignores: ['src/core/errors.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...['NewExpression', 'CallExpression'].map((node) => ({
          selector: `${node}[callee.type='Identifier'][callee.name=${BUILT_IN_ERROR}]`,
          message:
            'Throw a RetortError subclass from src/core/errors.ts (InputError, CampaignError, InfrastructureError, ExecutorUnavailableError), not a built-in error.',
        })),
        {
          selector: `ClassDeclaration[superClass.type='Identifier'][superClass.name=${BUILT_IN_ERROR}]`,
          message:
            'An error class extends RetortError (src/core/errors.ts), which says whether a retry can help.',
        },
      ],
    },
  },
);
