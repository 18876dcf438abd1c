// The lint rules of n8n's community-node toolchain (@n8n/node-cli's config): the modern
// @n8n/eslint-plugin-community-nodes plus the classic eslint-plugin-n8n-nodes-base, with the
// classic rules that contradict the modern ones switched off exactly as n8n switches them off.
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import tseslint from 'typescript-eslint';

const recommended = n8nCommunityNodesPlugin.configs.recommended;

export default tseslint.config(
	{ ignores: ['**/dist/**', '**/node_modules/**', 'workflows/**', 'docker/**', '.data/**', 'coverage/**'] },
	{
		// The service, the tests, the scripts and the benchmarks: TypeScript's recommended rules.
		files: ['service/**/*.ts', 'test/**/*.ts', '**/*.test.ts', 'sandbox/**/*.ts'],
		extends: [tseslint.configs.recommended],
		rules: {
			// A leading underscore marks a parameter or binding that is unused on purpose.
			'@typescript-eslint/no-unused-vars': [
				'error',
				{ argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true, caughtErrors: 'none' },
			],
		},
	},
	{
		// Tests read untyped JSON (n8n's run data, Meta's bodies) and load some modules lazily.
		files: ['test/**/*.ts', '**/*.test.ts', 'service/test/**/*.ts'],
		rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-require-imports': 'off' },
	},
	{
		files: ['**/*.{js,mjs,cjs}'],
		extends: [tseslint.configs.recommended],
		rules: { '@typescript-eslint/no-require-imports': 'off' },
	},
	{
		files: ['nodes/**/*.ts', 'credentials/**/*.ts'],
		ignores: ['**/*.test.ts'],
		extends: [tseslint.configs.recommended, recommended],
		rules: { 'prefer-spread': 'off', 'no-console': 'error' },
	},
	{ plugins: { 'n8n-nodes-base': n8nNodesBase } },
	{
		files: ['package.json'],
		extends: [recommended],
		rules: { ...n8nNodesBase.configs.community.rules },
		languageOptions: { parser: tseslint.parser, parserOptions: { extraFileExtensions: ['.json'] } },
	},
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
);
