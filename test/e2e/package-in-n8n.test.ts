// Our package, packed and installed the way n8n installs community packages, in a real n8n 2.40.7.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from '../../service/src/app';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres';
import { startN8n, type N8nInstance } from './harness';
import { typeNamesFromPackage } from './package-types';

jest.setTimeout(600_000);

describe('the package in real n8n', () => {
	let n8n: N8nInstance;
	let db: TestDatabase;
	let service: Server;
	let serviceUrl: string;

	beforeAll(async () => {
		db = await createTestDatabase('svc');
		service = createApp({ pool: db.pool, version: 'e2e' }).listen(0, '127.0.0.1');
		await new Promise((resolve) => service.once('listening', resolve));
		serviceUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
		n8n = await startN8n();
	});

	afterAll(async () => {
		await n8n?.stop();
		service?.close();
		await db?.drop();
	});

	it('lists every node and credential type of our package under the package prefix', async () => {
		const expected = typeNamesFromPackage();
		expect(expected.nodes.length).toBeGreaterThan(0);
		const nodeNames = (await n8n.nodeTypes()).map((type) => type.name);
		for (const name of expected.nodes) expect(nodeNames).toContain(name);
		expect(nodeNames.some((name) => name.startsWith('CUSTOM.'))).toBe(false);
		const credentialNames = (await n8n.credentialTypes()).map((type) => type.name);
		for (const name of expected.credentials) expect(credentialNames).toContain(name);
	});

	it('imports a workflow with the CLI and runs our node against the service', async () => {
		await n8n.importCredentials([
			{
				id: 'tpCredE2e0000001',
				name: 'TiltedPrompts e2e',
				type: 'tiltedPromptsApi',
				data: { baseUrl: serviceUrl, apiKey: 'not-needed-for-health' },
			},
		]);
		const workflow = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'service-health.workflow.json'), 'utf8'));
		const id = await n8n.importWorkflow(workflow);
		const run = await n8n.execute(id);
		expect(run.error).toBeUndefined();
		expect(run.output('Service Health')).toEqual([{ status: 'ok', service: 'tiltedprompts', version: 'e2e' }]);
	});
});
