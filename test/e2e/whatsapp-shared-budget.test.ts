// The WhatsApp node's Shared Send Budget in real n8n 2.40.7: the optional second credential
// (TiltedPrompts API) reaches the node, which leases its send permits and pair-rate slots from the
// real service; every output item says the budget was shared. And a running bulk send stops when
// the execution is stopped through n8n's API (as the editor's Stop button does): n8n aborts the
// node's requests and the node starts no more (unit tests check that the run also ends at once).
import {
	startGraphStandIn,
	whatsapp,
	DEFAULT_PHONE_NUMBER_ID,
	type GraphStandIn,
	type WhatsAppState,
} from '../../sandbox';
import { startRealService, type RunningService } from '../unit/tiltedprompts/support/service';
import { startN8n, type N8nInstance } from './harness';

jest.setTimeout(600_000);

const WHATSAPP = { id: 'waCredBudget0001', name: 'WhatsApp budget e2e' };
const SERVICE = { id: 'tpCredBudget0001', name: 'TiltedPrompts budget e2e' };
const TOKEN = 'e2e-token-not-a-secret';

function workflow(): Record<string, unknown> {
	return {
		name: 'WhatsApp shared send budget (e2e)',
		nodes: [
			{
				parameters: {},
				id: 'b0000000-0000-4000-8000-000000000001',
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
			},
			{
				parameters: {
					resource: 'message',
					operation: 'send',
					phoneNumberId: { __rl: true, mode: 'id', value: DEFAULT_PHONE_NUMBER_ID },
					to: '+91 98000 00077',
					messageType: 'text',
					textBody: 'Diwali offers are live',
					sendingOptions: { throughput: 20, sharedBudget: true },
				},
				id: 'b0000000-0000-4000-8000-000000000002',
				name: 'Send',
				type: 'n8n-nodes-tiltedprompts.whatsApp',
				typeVersion: 1,
				position: [220, 0],
				credentials: { whatsAppCloudApi: WHATSAPP, tiltedPromptsApi: SERVICE },
			},
		],
		connections: { Start: { main: [[{ node: 'Send', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

/** Webhook (answers at once) → Split Out → bulk send at 20 msg/s: a campaign that runs for a while. */
function campaign(path: string): Record<string, unknown> {
	const id = (n: number) => `b0000000-0000-4000-8000-00000000010${n}`;
	return {
		name: 'WhatsApp campaign to stop (e2e)',
		nodes: [
			{
				parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
				id: id(1),
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: id(9),
			},
			{
				parameters: { fieldToSplitOut: 'body.recipients', options: {} },
				id: id(2),
				name: 'Split Out',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [220, 0],
			},
			{
				parameters: {
					resource: 'message',
					operation: 'send',
					phoneNumberId: { __rl: true, mode: 'id', value: DEFAULT_PHONE_NUMBER_ID },
					to: '={{ $json.to }}',
					messageType: 'text',
					textBody: 'Diwali offers are live',
					sendingOptions: { throughput: 20 },
				},
				id: id(3),
				name: 'Send',
				type: 'n8n-nodes-tiltedprompts.whatsApp',
				typeVersion: 1,
				position: [440, 0],
				credentials: { whatsAppCloudApi: WHATSAPP },
			},
		],
		connections: {
			Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: 'Send', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

describe('WhatsApp Shared Send Budget in real n8n', () => {
	let n8n: N8nInstance;
	let graph: GraphStandIn;
	let service: RunningService;

	beforeAll(async () => {
		graph = await startGraphStandIn({ modules: [whatsapp()], validTokens: [TOKEN] });
		service = await startRealService();
		const key = await service.keyFor('pro', ['send-budget']);
		n8n = await startN8n();
		await n8n.importCredentials([
			{
				...WHATSAPP,
				type: 'whatsAppCloudApi',
				data: { accessToken: TOKEN, businessAccountId: '102290129340398', apiVersion: 'v23.0', baseUrl: graph.url },
			},
			{ ...SERVICE, type: 'tiltedPromptsApi', data: { baseUrl: service.url, apiKey: key } },
		]);
	});

	afterAll(async () => {
		await n8n?.stop();
		await graph?.close();
		await service?.close();
	});

	it('sends with permits leased from the service and says the budget was shared', async () => {
		const run = await n8n.execute(await n8n.importWorkflow(workflow()));
		expect(run.error).toBeUndefined();
		const [sent] = run.output('Send');
		expect(sent.wamid).toMatch(/^wamid\./);
		expect(sent.sendBudget).toEqual({ shared: true, ratePerSecond: 20, fallback: null });
		expect((graph.state.whatsapp as WhatsAppState).messages.map((m) => m.to)).toEqual(['919800000077']);
		const leases = await service.db.pool.query<{ phone_number_id: string; campaign: string }>(
			'SELECT phone_number_id, campaign FROM send_budget_leases',
		);
		expect(leases.rows.length).toBeGreaterThan(0);
		expect(leases.rows[0].phone_number_id).toBe(DEFAULT_PHONE_NUMBER_ID);
		const slots = await service.db.pool.query<{ recipient: string }>('SELECT recipient FROM send_pair_slots');
		expect(slots.rows.map((r) => r.recipient)).toEqual(['919800000077']);
	});

	it('stopping a running campaign stops it: no message leaves after the stop, n8n lists it as canceled', async () => {
		const wa = graph.state.whatsapp as WhatsAppState;
		const before = wa.messages.length;
		const { data: created } = await n8n.rest<{ data: { id: string; versionId: string } }>(
			'POST',
			'/rest/workflows',
			campaign('stop-e2e'),
		);
		await n8n.rest('POST', `/rest/workflows/${created.id}/activate`, { versionId: created.versionId });
		const recipients = Array.from({ length: 300 }, (_, i) => ({ to: `9198${String(10_000_000 + i)}` }));
		// Activation registers the webhook asynchronously.
		for (let attempt = 0; ; attempt++) {
			const res = await fetch(`${n8n.url}/webhook/stop-e2e`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ recipients }),
			});
			if (res.ok) break;
			if (attempt > 30) throw new Error(`webhook: ${res.status} ${await res.text()}`);
			await new Promise((resolve) => setTimeout(resolve, 1000));
		}
		// 300 messages at 20/s take 15 s: stop once 20 have gone out.
		const deadline = Date.now() + 60_000;
		while (wa.messages.length - before < 20 && Date.now() < deadline)
			await new Promise((resolve) => setTimeout(resolve, 50));
		const filter = encodeURIComponent(JSON.stringify({ workflowId: created.id }));
		const {
			data: { results },
		} = await n8n.rest<{ data: { results: Array<{ id: string; status: string }> } }>(
			'GET',
			`/rest/executions?filter=${filter}&limit=5`,
		);
		expect(results).toHaveLength(1);
		expect(results[0].status).toBe('running');
		await n8n.rest('POST', `/rest/executions/${results[0].id}/stop`);
		const stoppedAt = Date.now();
		const atStop = wa.messages.length;
		await new Promise((resolve) => setTimeout(resolve, 3000));
		// At most the few requests already in flight land after the stop; none 1 s or more after it.
		expect(wa.messages.length - atStop).toBeLessThanOrEqual(3);
		expect(graph.requests.filter((r) => r.at > stoppedAt + 1000)).toEqual([]);
		expect(wa.messages.length - before).toBeLessThan(40);
		const { data: execution } = await n8n.rest<{ data: { status: string } }>(
			'GET',
			`/rest/executions/${results[0].id}`,
		);
		expect(execution.status).toBe('canceled');
	});
});
