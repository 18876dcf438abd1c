const { src, dest } = require('gulp');

// Icons and codex files (<Node>.node.json) sit beside the sources; tsc copies neither into dist/.
function buildIcons() {
	return src(['nodes/**/*.{png,svg}', 'nodes/**/*.node.json', 'credentials/**/*.{png,svg}'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist'));
}

exports['build:icons'] = buildIcons;
