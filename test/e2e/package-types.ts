// The type names n8n registers for our package (`<package>.<node>`), read from the built dist/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
	name: string;
	n8n: { nodes: string[]; credentials: string[] };
};

export function typeNamesFromPackage(): { nodes: string[]; credentials: string[] } {
	const nodes = pkg.n8n.nodes.map((file) => {
		const mod = require(join(root, file)) as Record<string, new () => { description: { name: string } }>;
		const [NodeClass] = Object.values(mod);
		return `${pkg.name}.${new NodeClass().description.name}`;
	});
	const credentials = pkg.n8n.credentials.map((file) => {
		const mod = require(join(root, file)) as Record<string, new () => { name: string }>;
		const [CredentialClass] = Object.values(mod);
		return new CredentialClass().name;
	});
	return { nodes, credentials };
}
