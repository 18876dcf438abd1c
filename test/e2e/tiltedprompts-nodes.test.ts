// The TiltedPrompts node and TiltedPrompts Trigger in real n8n 2.40.7 (our packed package installed
// as a community package) against the real service (in-process, real Postgres).
import { randomBytes, randomUUID } from 'node:crypto';
import type { IDataObject } from 'n8n-workflow';
import { startRealService, type RunningService } from '../unit/tiltedprompts/support/service';
import { startN8n, type N8nInstance } from './harness';

jest.setTimeout(600_000);

const CREDENTIAL = { id: 'tpCredE2eNodes01', name: 'TiltedPrompts (e2e)' };
const TP = 'n8n-nodes-tiltedprompts.tiltedPrompts';

let service: RunningService;
let n8n: N8nInstance;

beforeAll(async () => {
	// Short retries: a delivery that meets the webhook while n8n republishes it is tried again soon.
	service = await startRealService({ fanoutSchedule: '0,1s,2s,4s,8s,16s,30s' });
	n8n = await startN8n();
	await n8n.importCredentials([
		{
			...CREDENTIAL,
			type: 'tiltedPromptsApi',
			data: { baseUrl: service.url, apiKey: service.proKey, signingSecret: service.signingSecret },
		},
	]);
});

afterAll(async () => {
	await n8n?.stop();
	await service?.close();
});

const credentials = { tiltedPromptsApi: CREDENTIAL };

function tpNode(
	name: string,
	position: [number, number],
	parameters: IDataObject,
	extra: IDataObject = {},
): IDataObject {
	return { id: randomUUID(), name, type: TP, typeVersion: 1, position, parameters, credentials, ...extra };
}

function chain(names: string[]): IDataObject {
	const connections: IDataObject = {};
	for (let i = 0; i < names.length - 1; i++)
		connections[names[i]] = { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] };
	return connections;
}

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
	const until = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

describe('TiltedPrompts node in real n8n', () => {
	it("tests the credential the way the editor does: a valid key passes, a wrong key fails with the service's message", async () => {
		const credential = (apiKey: string) => ({
			...CREDENTIAL,
			type: 'tiltedPromptsApi',
			data: { baseUrl: service.url, apiKey, signingSecret: service.signingSecret },
		});
		const ok = await n8n.rest<{ data: { status: string } }>('POST', '/rest/credentials/test', {
			credentials: credential(service.proKey),
		});
		expect(ok.data.status).toBe('OK');
		const bad = await n8n.rest<{ data: { status: string; message: string } }>('POST', '/rest/credentials/test', {
			credentials: credential(`tp_${'x'.repeat(32)}`),
		});
		expect(bad.data.status).toBe('Error');
		// The service's own message (its HTTP reason phrase), not n8n's bare "Unauthorized".
		expect(bad.data.message).toBe('The API key is unknown or revoked: check the TiltedPrompts API credential.');
	});

	it('ingests a signed bundle, finds it in the library, and keeps a contact with consent', async () => {
		const slug = `e2e/${randomBytes(4).toString('hex')}`;
		const bundle = {
			bundle_id: 'e2e-bundle',
			assets: [
				{
					slug,
					type: 'caption',
					title: 'Monsoon chai caption',
					content: { text: 'Rainy days call for masala chai' },
					tags: ['e2e'],
				},
			],
		};
		const names = ['Start', 'Ingest', 'Search', 'Save Contact'];
		const id = await n8n.importWorkflow({
			name: 'TiltedPrompts node (e2e)',
			nodes: [
				{
					id: randomUUID(),
					name: 'Start',
					type: 'n8n-nodes-base.manualTrigger',
					typeVersion: 1,
					position: [0, 0],
					parameters: {},
				},
				tpNode('Ingest', [220, 0], {
					resource: 'bundle',
					operation: 'ingest',
					source: 'json',
					bundle: `={{ ${JSON.stringify(bundle)} }}`,
				}),
				tpNode('Search', [440, 0], {
					resource: 'library',
					operation: 'search',
					query: 'masala chai',
					returnAll: true,
					filters: { tag: 'e2e' },
				}),
				tpNode(
					'Save Contact',
					[660, 0],
					{
						resource: 'contact',
						operation: 'upsert',
						waId: '+91 98111 22233',
						fields: { name: '={{ $json.title }}', tags: 'e2e', consent: 'opted_in' },
					},
					{ executeOnce: true },
				),
			],
			connections: chain(names),
			settings: { executionOrder: 'v1' },
		});
		const run = await n8n.execute(id);
		expect(run.error).toBeUndefined();
		expect(run.output('Ingest')).toEqual([expect.objectContaining({ bundle_id: 'e2e-bundle', created: 1 })]);
		expect(run.output('Search')).toEqual([expect.objectContaining({ slug, title: 'Monsoon chai caption' })]);
		expect(run.output('Save Contact')).toEqual([
			expect.objectContaining({ wa_id: '919811122233', name: 'Monsoon chai caption', consent: 'opted_in' }),
		]);
		const { rows } = await service.db.pool.query('SELECT consent, tags FROM contacts WHERE wa_id = $1', [
			'919811122233',
		]);
		expect(rows).toEqual([{ consent: 'opted_in', tags: ['e2e'] }]);
	});
});

describe('TiltedPrompts Trigger in real n8n', () => {
	const webhookId = randomUUID();
	let workflowId: string;

	async function subscriptions(): Promise<IDataObject[]> {
		const res = await fetch(`${service.url}/api/v1/subscriptions`, {
			headers: { authorization: `Bearer ${service.proKey}` },
		});
		return ((await res.json()) as { data: IDataObject[] }).data;
	}

	it('registers its subscription on activation and runs the workflow for a real, signed event', async () => {
		workflowId = await n8n.importWorkflow({
			name: 'TiltedPrompts Trigger (e2e)',
			nodes: [
				{
					id: randomUUID(),
					name: 'On WhatsApp Message',
					type: 'n8n-nodes-tiltedprompts.tiltedPromptsTrigger',
					typeVersion: 1,
					position: [0, 0],
					webhookId,
					parameters: { events: ['whatsapp.message'] },
					credentials,
				},
				tpNode('Tag Contact', [220, 0], {
					resource: 'contact',
					operation: 'upsert',
					waId: '={{ $json.data.from }}',
					fields: { name: '={{ $json.data.profile_name }}', tags: '=seen-by-n8n, {{ $json.data.text }}' },
				}),
			],
			connections: chain(['On WhatsApp Message', 'Tag Contact']),
			settings: { executionOrder: 'v1' },
		});
		const workflow = await n8n.rest<{ data: { versionId: string } }>('GET', `/rest/workflows/${workflowId}`);
		await n8n.rest('POST', `/rest/workflows/${workflowId}/activate`, { versionId: workflow.data.versionId });

		// Publication is asynchronous in n8n 2.x (an outbox): wait for the subscription, then until the
		// webhook is live with its secret (a forged delivery gets our 401, not n8n's 404).
		const subscription = await waitFor(async () => (await subscriptions())[0], 'the subscription');
		expect(subscription).toMatchObject({
			event_types: ['whatsapp.message'],
			url: `${n8n.url.replace('127.0.0.1', 'localhost')}/webhook/${webhookId}/webhook`,
		});
		await waitFor(
			async () => ((await forged()).status === 401 ? true : undefined),
			'the webhook to answer 401 to a forged delivery',
		);

		const from = '919822233344';
		const meta = {
			object: 'whatsapp_business_account',
			entry: [
				{
					id: '102290129340398',
					changes: [
						{
							field: 'messages',
							value: {
								messaging_product: 'whatsapp',
								metadata: { display_phone_number: '15550000000', phone_number_id: '106540352242922' },
								contacts: [{ profile: { name: 'Ravi' }, wa_id: from }],
								messages: [
									{
										from,
										id: `wamid.${randomBytes(8).toString('hex')}`,
										timestamp: String(Math.floor(Date.now() / 1000)),
										type: 'text',
										text: { body: 'hello' },
									},
								],
							},
						},
					],
				},
			],
		};
		expect((await service.postMeta(meta)).status).toBe(200);
		const row = await waitFor(async () => {
			const { rows } = await service.db.pool.query<{ name: string; tags: string[] }>(
				'SELECT name, tags FROM contacts WHERE wa_id = $1',
				[from],
			);
			return rows[0]?.tags.includes('seen-by-n8n') ? rows[0] : undefined;
		}, 'the workflow to tag the contact');
		expect({ ...row, tags: [...row.tags].sort() }).toEqual({ name: 'Ravi', tags: ['hello', 'seen-by-n8n'] });
	});

	async function forged(): Promise<Response> {
		const body = JSON.stringify({ type: 'whatsapp.message', data: { from: '919800000099', text: 'forged' } });
		const now = String(Math.floor(Date.now() / 1000));
		return await fetch(`${n8n.url}/webhook/${webhookId}/webhook`, {
			method: 'POST',
			headers: {
				'content-type': 'application/json',
				'webhook-id': 'msg_forged',
				'webhook-timestamp': now,
				'webhook-signature': `v1,${randomBytes(32).toString('base64')}`,
			},
			body,
		});
	}

	it('answers 401 to a delivery that is not signed with its secret', async () => {
		const res = await forged();
		expect(res.status).toBe(401);
		expect(((await res.json()) as { error: { code: string } }).error.code).toBe('no_matching_signature');
		const { rows } = await service.db.pool.query('SELECT 1 FROM contacts WHERE wa_id = $1', ['919800000099']);
		expect(rows).toHaveLength(0);
	});

	/** A signed WhatsApp message from `from` through the service; resolves once the workflow tagged the contact. */
	async function messageRunsWorkflow(from: string): Promise<void> {
		const value = {
			messaging_product: 'whatsapp',
			metadata: { display_phone_number: '15550000000', phone_number_id: '106540352242922' },
			contacts: [{ profile: { name: 'Rotation' }, wa_id: from }],
			messages: [
				{
					from,
					id: `wamid.${randomBytes(8).toString('hex')}`,
					timestamp: String(Math.floor(Date.now() / 1000)),
					type: 'text',
					text: { body: 'rotated' },
				},
			],
		};
		expect(
			(
				await service.postMeta({
					object: 'whatsapp_business_account',
					entry: [{ id: '102290129340398', changes: [{ field: 'messages', value }] }],
				})
			).status,
		).toBe(200);
		await waitFor(async () => {
			const { rows } = await service.db.pool.query<{ tags: string[] }>('SELECT tags FROM contacts WHERE wa_id = $1', [
				from,
			]);
			return rows[0]?.tags.includes('seen-by-n8n') ? true : undefined;
		}, `the workflow to tag ${from}`);
	}

	it('keeps running through a secret rotation and a new publish of its workflow: nothing sent in between is lost', async () => {
		const [subscription] = await subscriptions();
		const rotated = await fetch(`${service.url}/api/v1/subscriptions/${subscription.id}/rotate-secret`, {
			method: 'POST',
			headers: { authorization: `Bearer ${service.proKey}`, 'content-type': 'application/json' },
			body: JSON.stringify({ overlap_seconds: 3600 }),
		});
		expect(rotated.status).toBe(200);
		const newSecret = ((await rotated.json()) as { secret: string }).secret;
		// Before anything changes in n8n, deliveries carry both signatures: the workflow keeps running.
		await messageRunsWorkflow('919822200001');

		// The user pastes the new secret into the trigger and publishes the workflow again.
		const current = await n8n.rest<{ data: IDataObject & { nodes: IDataObject[]; versionId: string } }>(
			'GET',
			`/rest/workflows/${workflowId}`,
		);
		const nodes = current.data.nodes.map((node) =>
			node.name === 'On WhatsApp Message'
				? { ...node, parameters: { ...(node.parameters as IDataObject), rotatedSecret: newSecret } }
				: node,
		);
		const saved = await n8n.rest<{ data: { versionId: string } }>('PATCH', `/rest/workflows/${workflowId}`, {
			...current.data,
			nodes,
		});
		await n8n.rest('POST', `/rest/workflows/${workflowId}/activate`, { versionId: saved.data.versionId });
		// n8n publishes again by unpublishing (the trigger deletes its subscription) and publishing (it
		// subscribes anew, with a new secret). A message sent meanwhile is not lost: the new subscription
		// takes over what the deleted one missed.
		const meanwhile = messageRunsWorkflow('919822200002');
		const renewed = await waitFor(async () => {
			const current = await subscriptions();
			return current.length === 1 && current[0].id !== subscription.id ? current[0] : undefined;
		}, 'the published trigger to hold its new subscription');
		expect(renewed.id).not.toBe(subscription.id);
		await meanwhile;

		// The old subscription's overlap ends (moved into the past): the new subscription alone signs.
		await service.db.pool.query(
			`UPDATE subscriptions SET previous_secret_expires_at = now() - interval '1 second' WHERE previous_secret_expires_at IS NOT NULL`,
		);
		await messageRunsWorkflow('919822200003');
	});

	it('removes its subscription when the workflow is deactivated', async () => {
		expect(await subscriptions()).toHaveLength(1);
		await n8n.rest('POST', `/rest/workflows/${workflowId}/deactivate`, {});
		await waitFor(
			async () => ((await subscriptions()).length === 0 ? true : undefined),
			'the subscription to be deleted',
		);
	});
});
