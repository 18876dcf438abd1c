// Runs the service's real entry point (src/main.ts, configured by the environment) in a child
// process, so a test can SIGKILL it and start it again. TypeScript is transpiled on load (types are
// checked by `npm run typecheck`).
const { readFileSync } = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
	const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), {
		fileName: filename,
		compilerOptions: {
			module: ts.ModuleKind.CommonJS,
			target: ts.ScriptTarget.ES2022,
			esModuleInterop: true,
			sourceMap: false,
		},
	});
	module._compile(outputText, filename);
};
require('../../src/main.ts');
