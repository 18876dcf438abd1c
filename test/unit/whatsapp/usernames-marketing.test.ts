// WhatsApp in 2026: a recipient given as a business-scoped user ID goes out in `recipient` (a phone
// number in `to`), and MARKETING templates go through the Marketing Messages API — with a noted
// fallback to /messages when the account is not onboarded. Every request is checked by the sandbox
// against Meta's OpenAPI spec.
import {
	startGraphStandIn,
	validateRequestBody,
	whatsapp,
	type GraphStandIn,
	type WhatsAppState,
} from '../../../sandbox';
import { isNotOnboarded } from '../../../nodes/WhatsApp/shared/marketing';
import { runNode, SENDER, TOKEN } from './harness';

const BSUID = 'IN.1648738043044942';

describe('recipients by phone number or BSUID', () => {
	let graph: GraphStandIn;
	beforeAll(async () => {
		graph = await startGraphStandIn({ modules: [whatsapp({ pairRateWindowMs: 0 })], validTokens: [TOKEN] });
	});
	afterAll(() => graph.close());
	afterEach(() => expect(graph.invalidRequests()).toEqual([]));

	it('sends to a BSUID with `recipient` and to a phone number with `to`, one result per person', async () => {
		graph.clearLog();
		const { output } = await runNode({
			baseUrl: graph.url,
			items: [{ json: {} }, { json: {} }],
			params: {
				resource: 'message',
				operation: 'send',
				phoneNumberId: SENDER,
				messageType: 'text',
				textBody: 'Hi',
				to: (i: number) => [BSUID, '+91 98000 00001'][i],
			},
		});
		const bodies = graph.requests
			.filter((r) => r.route === 'whatsapp.messages')
			.map((r) => r.body as Record<string, unknown>);
		expect(bodies.map((b) => [b.to, b.recipient])).toEqual(
			expect.arrayContaining([
				[undefined, BSUID],
				['919800000001', undefined],
			]),
		);
		expect(output.map((o) => typeof o.json.wamid)).toEqual(['string', 'string']);
	});

	it('the sandbox enforces the pair rate per person, a BSUID as much as a phone number', async () => {
		const strict = await startGraphStandIn({ modules: [whatsapp({ pairRateWindowMs: 60_000 })], validTokens: [TOKEN] });
		try {
			const { output } = await runNode({
				baseUrl: strict.url,
				items: [{ json: {} }],
				params: {
					resource: 'message',
					operation: 'send',
					phoneNumberId: SENDER,
					messageType: 'text',
					textBody: 'Hi',
					to: BSUID,
				},
			});
			expect(output[0].json.wamid).toMatch(/^wamid\./);
			const second = await runNode({
				baseUrl: strict.url,
				items: [{ json: {} }],
				continueOnFail: true,
				params: {
					resource: 'message',
					operation: 'send',
					phoneNumberId: SENDER,
					messageType: 'text',
					textBody: 'Again',
					to: BSUID,
					sendingOptions: { maxRetries: 0 },
				},
			});
			expect((second.output[0].json.error as { code: number }).code).toBe(131056);
		} finally {
			await strict.close();
		}
	});

	it('refuses what is neither a phone number nor a BSUID, naming both forms', async () => {
		const { output } = await runNode({
			baseUrl: graph.url,
			continueOnFail: true,
			params: {
				resource: 'message',
				operation: 'send',
				phoneNumberId: SENDER,
				messageType: 'text',
				textBody: 'Hi',
				to: 'in.123',
			},
		});
		expect((output[0].json.error as { message: string }).message).toMatch(/not a phone number or a WhatsApp user ID/);
	});
});

describe('Send Template through the Marketing Messages API', () => {
	const tpl = (params: Record<string, unknown>) => ({
		resource: 'message',
		operation: 'sendTemplate',
		phoneNumberId: SENDER,
		to: BSUID,
		headerType: 'none',
		...params,
	});
	const image = {
		template: { __rl: true, mode: 'name', value: 'new_post_image' },
		languageCode: 'en',
		headerType: 'image',
		headerMediaSource: 'link',
		headerMediaLink: 'https://cdn.example.com/p.jpg',
		bodyParameters: { parameter: [{ text: 'Asha' }, { text: 'Masala chai' }, { text: '₹199' }] },
		buttonParameters: { button: [{ index: 0, subType: 'url', value: 'masala-chai' }] },
	};

	it('a MARKETING template goes to /marketing_messages, a UTILITY template to /messages', async () => {
		const graph = await startGraphStandIn({ modules: [whatsapp({ pairRateWindowMs: 0 })], validTokens: [TOKEN] });
		try {
			const marketing = await runNode({ baseUrl: graph.url, params: tpl(image) });
			const utility = await runNode({
				baseUrl: graph.url,
				params: tpl({
					template: { __rl: true, mode: 'name', value: 'hello_world' },
					languageCode: 'en_US',
					to: '919800000002',
				}),
			});
			expect(marketing.output[0].json).toMatchObject({
				endpoint: 'marketing_messages',
				wamid: expect.stringMatching(/^wamid\./),
			});
			expect(marketing.output[0].json.note).toBeUndefined();
			expect(utility.output[0].json).toMatchObject({ endpoint: 'messages' });
			const wa = graph.state.whatsapp as WhatsAppState;
			expect(wa.messages.map((m) => [m.endpoint, m.to])).toEqual([
				['marketing_messages', BSUID],
				['messages', '919800000002'],
			]);
			expect(graph.invalidRequests()).toEqual([]);
		} finally {
			await graph.close();
		}
	});

	it('not onboarded: the message goes through /messages and the item says so', async () => {
		const graph = await startGraphStandIn({
			modules: [whatsapp({ pairRateWindowMs: 0, marketingMessagesOnboarded: false })],
			validTokens: [TOKEN],
		});
		try {
			const { output } = await runNode({
				baseUrl: graph.url,
				items: [{ json: {} }, { json: {} }],
				params: tpl({ ...image, to: (i: number) => ['919800000003', '919800000004'][i] }),
			});
			for (const item of output) {
				expect(item.json).toMatchObject({ endpoint: 'messages', wamid: expect.stringMatching(/^wamid\./) });
				expect(item.json.note).toMatch(/not onboarded to it .*Marketing Messages API terms/);
			}
			// At most one refused try per message (the refusal is remembered for the sender), never a lost message.
			expect(graph.requests.filter((r) => r.route === 'whatsapp.marketing_messages').length).toBeLessThanOrEqual(2);
			expect((graph.state.whatsapp as WhatsAppState).messages.map((m) => m.endpoint)).toEqual(['messages', 'messages']);
		} finally {
			await graph.close();
		}
	});

	it('with the option off, a MARKETING template goes to /messages', async () => {
		const graph = await startGraphStandIn({ modules: [whatsapp({ pairRateWindowMs: 0 })], validTokens: [TOKEN] });
		try {
			const { output } = await runNode({ baseUrl: graph.url, params: tpl({ ...image, marketingMessagesApi: false }) });
			expect(output[0].json.wamid).toMatch(/^wamid\./);
			expect(graph.requests.map((r) => r.route).filter((r) => r?.startsWith('whatsapp.m'))).toEqual([
				'whatsapp.messages',
			]);
		} finally {
			await graph.close();
		}
	});
});

describe('isNotOnboarded', () => {
	it('recognises the refusal by its message, and nothing else', () => {
		expect(
			isNotOnboarded({
				error: { code: 100, message: '(#100) This business is not onboarded to the Marketing Messages API' },
			}),
		).toBe(true);
		expect(
			isNotOnboarded({
				error: {
					code: 10,
					message: 'Permission denied',
					error_data: { details: 'Marketing Messages API terms of service not accepted' },
				},
			}),
		).toBe(true);
		expect(
			isNotOnboarded({ error: { code: 131049, message: 'Meta chose not to deliver this marketing message' } }),
		).toBe(false);
		expect(isNotOnboarded({ error: { code: 100, message: 'Invalid parameter' } })).toBe(false);
		expect(isNotOnboarded(undefined)).toBe(false);
	});
});

describe('Send Template with a Flow button', () => {
	it("sends the flow token as the button's action, checked against the template and Meta's spec", async () => {
		const bookTable = {
			id: '900000000000091',
			name: 'book_table',
			language: 'en',
			status: 'APPROVED',
			category: 'UTILITY',
			components: [
				{ type: 'BODY', text: 'Book your Diwali table' },
				{ type: 'BUTTONS', buttons: [{ type: 'FLOW', text: 'Book now', flow_id: '1234567890' }] },
			],
		};
		const graph = await startGraphStandIn({
			modules: [whatsapp({ pairRateWindowMs: 0, templates: [bookTable] })],
			validTokens: [TOKEN],
		});
		try {
			const params = {
				resource: 'message',
				operation: 'sendTemplate',
				phoneNumberId: SENDER,
				to: BSUID,
				headerType: 'none',
				template: { __rl: true, mode: 'name', value: 'book_table' },
				languageCode: 'en',
			};
			const { output } = await runNode({
				baseUrl: graph.url,
				params: { ...params, buttonParameters: { button: [{ index: 0, subType: 'flow', value: 'table-tok-1' }] } },
			});
			expect(output[0].json).toMatchObject({ endpoint: 'messages', wamid: expect.stringMatching(/^wamid\./) });
			const sent = (graph.state.whatsapp as WhatsAppState).messages[0].body as { template: { components: unknown[] } };
			expect(sent.template.components).toEqual([
				{
					type: 'button',
					sub_type: 'flow',
					index: '0',
					parameters: [{ type: 'action', action: { flow_token: 'table-tok-1' } }],
				},
			]);
			expect(graph.invalidRequests()).toEqual([]);
			await expect(
				runNode({
					baseUrl: graph.url,
					params: { ...params, buttonParameters: { button: [{ index: 0, subType: 'url', value: 'x' }] } },
				}),
			).rejects.toThrow(/button 0 \("Book now"\) is FLOW, not url/);
		} finally {
			await graph.close();
		}
	});
});

describe('Send Template with a media-card carousel', () => {
	const card = (n: number) => ({
		components: [
			{ type: 'HEADER', format: 'IMAGE', example: { header_handle: ['4::aW...'] } },
			{ type: 'BODY', text: `Pick ${n}: {{1}} at {{2}}`, example: { body_text: [['Masala chai', '₹199']] } },
			{
				type: 'BUTTONS',
				buttons: [
					{ type: 'URL', text: 'Buy', url: 'https://shop.example.com/{{1}}', example: ['chai'] },
					{ type: 'QUICK_REPLY', text: 'Not now' },
				],
			},
		],
	});
	const carouselTemplate = {
		id: '900000000000092',
		name: 'diwali_picks',
		language: 'en',
		status: 'APPROVED',
		category: 'MARKETING',
		components: [
			{ type: 'BODY', text: 'Our Diwali picks for you' },
			{ type: 'CAROUSEL', cards: [card(1), card(2), card(3)] },
		],
	};
	const cards = (count: number) =>
		Array.from({ length: count }, (_, i) => ({
			headerType: 'image',
			mediaLink: `https://cdn.example.com/card-${i + 1}.jpg`,
			bodyValues: `Chai ${i + 1}\n₹${199 + i}`,
			button1Type: 'url',
			button1Value: `chai-${i + 1}`,
		}));
	const params = {
		resource: 'message',
		operation: 'sendTemplate',
		phoneNumberId: SENDER,
		to: BSUID,
		headerType: 'none',
		template: { __rl: true, mode: 'name', value: 'diwali_picks' },
		languageCode: 'en',
	};

	it('sends 3 cards with header media, body parameters and button values, valid against the spec', async () => {
		const graph = await startGraphStandIn({
			modules: [whatsapp({ pairRateWindowMs: 0, templates: [carouselTemplate] })],
			validTokens: [TOKEN],
		});
		try {
			const { output } = await runNode({
				baseUrl: graph.url,
				params: { ...params, carouselCards: { card: cards(3) } },
			});
			expect(output[0].json).toMatchObject({
				endpoint: 'marketing_messages',
				wamid: expect.stringMatching(/^wamid\./),
			});
			const sent = (graph.state.whatsapp as WhatsAppState).messages[0].body as {
				template: { components: Array<Record<string, any>> };
			};
			const carousel = sent.template.components.find((c) => c.type === 'carousel')!;
			expect(carousel.cards).toHaveLength(3);
			expect(carousel.cards[2]).toEqual({
				card_index: 2,
				components: [
					{ type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.example.com/card-3.jpg' } }] },
					{
						type: 'body',
						parameters: [
							{ type: 'text', text: 'Chai 3' },
							{ type: 'text', text: '₹201' },
						],
					},
					{ type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'chai-3' }] },
				],
			});
			expect(graph.invalidRequests()).toEqual([]);
			// The sandbox's check is real: a card index beyond 9 or a single card is refused.
			const broken = structuredClone(sent) as unknown as { template: { components: Array<Record<string, any>> } };
			broken.template.components.find((c) => c.type === 'carousel')!.cards[0].card_index = 12;
			expect(validateRequestBody('POST', '/{Version}/{Phone-Number-ID}/marketing_messages', broken).join(' ')).toMatch(
				/card_index/,
			);
			const single = structuredClone(sent) as unknown as { template: { components: Array<Record<string, any>> } };
			single.template.components.find((c) => c.type === 'carousel')!.cards.splice(1);
			expect(validateRequestBody('POST', '/{Version}/{Phone-Number-ID}/messages', single)).not.toEqual([]);
		} finally {
			await graph.close();
		}
	});

	it("refuses, before sending, cards that do not match the template's definition", async () => {
		const graph = await startGraphStandIn({
			modules: [whatsapp({ pairRateWindowMs: 0, templates: [carouselTemplate] })],
			validTokens: [TOKEN],
		});
		try {
			await expect(
				runNode({ baseUrl: graph.url, params: { ...params, carouselCards: { card: cards(2) } } }),
			).rejects.toThrow(/is a carousel of 3 cards; you gave 2/);
			const missingSuffix = cards(3).map((c, i) => (i === 1 ? { ...c, button1Type: 'none' } : c));
			await expect(
				runNode({ baseUrl: graph.url, params: { ...params, carouselCards: { card: missingSuffix } } }),
			).rejects.toThrow(/card 2: URL button 0 \("Buy"\) needs its URL suffix/);
			const oneValue = cards(3).map((c, i) => (i === 0 ? { ...c, bodyValues: 'Chai 1' } : c));
			await expect(
				runNode({ baseUrl: graph.url, params: { ...params, carouselCards: { card: oneValue } } }),
			).rejects.toThrow(/card 1 expects 2 body parameters/);
			expect((graph.state.whatsapp as WhatsAppState).messages).toHaveLength(0);
		} finally {
			await graph.close();
		}
	});
});
