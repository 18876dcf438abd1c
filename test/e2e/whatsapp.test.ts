// The WhatsApp node in real n8n 2.40.7 (our packed package installed as a community package),
// talking to the Graph API stand-in: a template with a video header, then an interactive list.
import {
	startGraphStandIn,
	whatsapp,
	DEFAULT_PHONE_NUMBER_ID,
	type GraphStandIn,
	type WhatsAppState,
} from '../../sandbox';
import { startN8n, type N8nInstance } from './harness';

jest.setTimeout(600_000);

const CREDENTIAL = { id: 'waCredE2e0000001', name: 'WhatsApp e2e' };
const TOKEN = 'e2e-token-not-a-secret';
const step = (message: string) => process.stderr.write(`[whatsapp e2e] ${message}\n`);

/** The `new_post_video` template (video header, two body values, a URL button) to `to`. */
function sendVideoTemplate(to: string, bodyValues: [string, string]): Record<string, unknown> {
	return {
		resource: 'message',
		operation: 'sendTemplate',
		phoneNumberId: { __rl: true, mode: 'list', value: DEFAULT_PHONE_NUMBER_ID },
		to,
		template: { __rl: true, mode: 'name', value: 'new_post_video' },
		languageCode: 'en',
		headerType: 'video',
		headerMediaSource: 'link',
		headerMediaLink: 'https://cdn.example.com/reels/diwali.mp4',
		bodyParameters: { parameter: bodyValues.map((text) => ({ text })) },
		buttonParameters: { button: [{ index: 0, subType: 'url', value: 'diwali-reel' }] },
	};
}

function workflow(): Record<string, unknown> {
	const credentials = { whatsAppCloudApi: CREDENTIAL };
	return {
		name: 'WhatsApp template + list (e2e)',
		nodes: [
			{
				parameters: {},
				id: 'a0000000-0000-4000-8000-000000000001',
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
			},
			{
				parameters: sendVideoTemplate('+91 98000 00042', ['Asha', '={{ "Diwali " + "offers" }}']),
				id: 'a0000000-0000-4000-8000-000000000002',
				name: 'Send Template',
				type: 'n8n-nodes-tiltedprompts.whatsApp',
				typeVersion: 1,
				position: [220, 0],
				credentials,
			},
			{
				parameters: {
					resource: 'message',
					operation: 'send',
					phoneNumberId: { __rl: true, mode: 'id', value: DEFAULT_PHONE_NUMBER_ID },
					to: '={{ $json.contacts[0].wa_id }}',
					messageType: 'interactiveList',
					headerText: 'Diwali menu',
					bodyText: 'Which tea should we reserve for you?',
					footerText: 'Reply STOP to opt out',
					listButtonText: 'Teas',
					listSections: {
						section: [
							{
								title: 'Hot',
								rows: {
									row: [
										{ id: 'masala', title: 'Masala chai', description: '₹199' },
										{ id: 'ginger', title: 'Ginger chai' },
									],
								},
							},
							{ title: 'Cold', rows: { row: [{ id: 'iced', title: 'Iced lemon tea' }] } },
						],
					},
				},
				id: 'a0000000-0000-4000-8000-000000000003',
				name: 'Send List',
				type: 'n8n-nodes-tiltedprompts.whatsApp',
				typeVersion: 1,
				position: [440, 0],
				credentials,
			},
		],
		connections: {
			Start: { main: [[{ node: 'Send Template', type: 'main', index: 0 }]] },
			'Send Template': { main: [[{ node: 'Send List', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

/** Start → the recipients as items (Edit Fields, Split Out) → a template to each. */
function campaignFromItems(recipients: Array<Record<string, unknown>>): Record<string, unknown> {
	const id = (n: number) => `a0000000-0000-4000-8000-00000000010${n}`;
	return {
		name: 'WhatsApp template per item (e2e)',
		nodes: [
			{
				parameters: {},
				id: id(1),
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
			},
			{
				parameters: { mode: 'raw', jsonOutput: JSON.stringify({ recipients }), options: {} },
				id: id(2),
				name: 'Recipients',
				type: 'n8n-nodes-base.set',
				typeVersion: 3.4,
				position: [220, 0],
			},
			{
				parameters: { fieldToSplitOut: 'recipients', options: {} },
				id: id(3),
				name: 'Split Out',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [440, 0],
			},
			{
				parameters: sendVideoTemplate('={{ $json.to ?? $json.recipient }}', [
					'={{ $json.name }}',
					'={{ $json.offer.title }}',
				]),
				id: id(4),
				name: 'Send',
				type: 'n8n-nodes-tiltedprompts.whatsApp',
				typeVersion: 1,
				position: [660, 0],
				credentials: { whatsAppCloudApi: CREDENTIAL },
			},
		],
		connections: {
			Start: { main: [[{ node: 'Recipients', type: 'main', index: 0 }]] },
			Recipients: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: 'Send', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

describe('WhatsApp node in real n8n', () => {
	let n8n: N8nInstance;
	let graph: GraphStandIn;

	beforeAll(async () => {
		graph = await startGraphStandIn({ modules: [whatsapp()], validTokens: [TOKEN] });
		n8n = await startN8n();
		await n8n.importCredentials([
			{
				...CREDENTIAL,
				type: 'whatsAppCloudApi',
				data: { accessToken: TOKEN, businessAccountId: '102290129340398', apiVersion: 'v23.0', baseUrl: graph.url },
			},
		]);
	});

	afterAll(async () => {
		await n8n?.stop();
		await graph?.close();
	});

	it('sends a template with a video header, then an interactive list to the same customer', async () => {
		const id = await n8n.importWorkflow(workflow());
		const run = await n8n.execute(id);
		expect(run.error).toBeUndefined();

		const template = run.output('Send Template');
		expect(template).toHaveLength(1);
		expect(template[0].wamid).toMatch(/^wamid\./);
		const list = run.output('Send List');
		expect(list[0].wamid).toMatch(/^wamid\./);

		expect(graph.invalidRequests()).toEqual([]);
		const wa = graph.state.whatsapp as WhatsAppState;
		expect(wa.messages.map((m) => [m.to, m.type])).toEqual([
			['919800000042', 'template'],
			['919800000042', 'interactive'],
		]);
		expect(wa.messages[0].body.template).toEqual({
			name: 'new_post_video',
			language: { code: 'en' },
			components: [
				{
					type: 'header',
					parameters: [{ type: 'video', video: { link: 'https://cdn.example.com/reels/diwali.mp4' } }],
				},
				{
					type: 'body',
					parameters: [
						{ type: 'text', text: 'Asha' },
						{ type: 'text', text: 'Diwali offers' },
					],
				},
				{ type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'diwali-reel' }] },
			],
		});
		const interactive = wa.messages[1].body.interactive as any;
		expect(interactive.type).toBe('list');
		expect(interactive.action.sections.map((s: any) => s.rows.map((r: any) => r.id))).toEqual([
			['masala', 'ginger'],
			['iced'],
		]);
		expect(graph.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
	});

	it("sends each item's template to its own recipient with its own values, as n8n resolves the expressions", async () => {
		const wa = graph.state.whatsapp as WhatsAppState;
		const before = wa.messages.length;
		const run = await n8n.execute(
			await n8n.importWorkflow(
				campaignFromItems([
					{ to: '919800000101', name: 'Asha', offer: { title: 'Masala chai' } },
					// `to` absent, a number for the name: n8n resolves this item's parameters itself.
					{ recipient: '919800000102', name: 42, offer: { title: 'Ginger chai' } },
					{ to: null, recipient: '+91 98000 00103', name: 'Ravi', offer: { title: 'Iced tea' } },
				]),
			),
		);
		expect(run.error).toBeUndefined();
		expect(run.output('Send').map((item) => typeof item.wamid)).toEqual(['string', 'string', 'string']);
		const sent = wa.messages.slice(before).map((m) => {
			const body = (m.body.template as any).components.find((c: any) => c.type === 'body');
			return [m.to, body.parameters.map((p: any) => p.text)];
		});
		expect(sent).toEqual([
			['919800000101', ['Asha', 'Masala chai']],
			['919800000102', ['42', 'Ginger chai']],
			['919800000103', ['Ravi', 'Iced tea']],
		]);
		expect(graph.invalidRequests()).toEqual([]);
	});

	it('lists our node and credential under the package prefix', async () => {
		const types = await n8n.nodeTypes();
		expect(types.map((t) => t.name)).toContain('n8n-nodes-tiltedprompts.whatsApp');
		expect((await n8n.credentialTypes()).map((t) => t.name)).toContain('whatsAppCloudApi');
	});

	it("tests the credential the way the editor does: a dead token gets Meta's 190 and what to do, a wrong account ID Meta's 100", async () => {
		type Verdict = { data: { status: string; message: string } };
		const credential = (data: Record<string, string>) => ({
			...CREDENTIAL,
			type: 'whatsAppCloudApi',
			data: {
				accessToken: TOKEN,
				businessAccountId: '102290129340398',
				apiVersion: 'v23.0',
				baseUrl: graph.url,
				...data,
			},
		});
		const ok = await n8n.rest<Verdict>('POST', '/rest/credentials/test', { credentials: credential({}) });
		expect(ok.data).toEqual({ status: 'OK', message: 'Connection successful!' });
		const dead = await n8n.rest<Verdict>('POST', '/rest/credentials/test', {
			credentials: credential({ accessToken: 'expired-token' }),
		});
		expect(dead.data.status).toBe('Error');
		expect(dead.data.message).toMatch(
			/^Meta error 190 \(subcode 463\): the access token has expired\. Create a new token/,
		);
		const wrongAccount = await n8n.rest<Verdict>('POST', '/rest/credentials/test', {
			credentials: credential({ businessAccountId: '999999999999999' }),
		});
		expect(wrongAccount.data.status).toBe('Error');
		step(`wrong account: ${wrongAccount.data.message}`);
		expect(wrongAccount.data.message).toMatch(/^Meta error (100|803): .*Check WhatsApp Business Account ID/);
	});
});
