// Lint config: typescript-eslint's recommended rules over src, test and bench.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['tmp/**', 'dist/**', 'node_modules/**', 'medtl-workspace/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // src/compute/index.ts is the compute layer's only public face: kernels, the addon loader and
    // the wasm internals stay free to change. Compute's own tests and its kernel benchmark reach in.
    files: ['**/*.ts'],
    ignores: ['src/compute/**', 'test/compute/**', 'bench/compute-kernels.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          regex: '(^|/)compute/(?!index\\.js$)',
          message: 'import the compute layer through compute/index.js only; compute/kernels/* and its other modules are private to src/compute',
        }],
      }],
    },
  },
  {
    files: ['bin/**/*.js', 'scripts/**/*.mjs', 'bench/**/*.mjs', 'native/**/*.mjs', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
