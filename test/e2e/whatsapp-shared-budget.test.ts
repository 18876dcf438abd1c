// The WhatsApp node's Shared Send Budget in real n8n 2.40.7: the optional second credential
// (TiltedPrompts API) reaches the node, which leases its send permits and pair-rate slots from the
// real service; every output item says the budget was shared.
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
});
