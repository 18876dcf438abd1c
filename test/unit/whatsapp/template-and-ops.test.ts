// Send Template, Mark as Read, Media, Template and Phone Number operations, list search pickers.
import {
	startGraphStandIn,
	whatsapp,
	DEFAULT_PHONE_NUMBER_ID,
	type GraphStandIn,
	type WhatsAppState,
} from '../../../sandbox';
import { searchPhoneNumbers, searchTemplates } from '../../../nodes/WhatsApp/listSearch';
import { loadOptionsContext, runNode, SENDER, TOKEN } from './harness';

let graph: GraphStandIn;
let wa: WhatsAppState;
beforeAll(async () => {
	graph = await startGraphStandIn({ modules: [whatsapp({ pairRateWindowMs: 0 })], validTokens: [TOKEN] });
	wa = graph.state.whatsapp as WhatsAppState;
});
afterAll(() => graph.close());
beforeEach(() => graph.clearLog());
afterEach(() => expect(graph.invalidRequests()).toEqual([]));

const sends = () =>
	graph.requests.filter((r) => r.route === 'whatsapp.messages' || r.route === 'whatsapp.marketing_messages');
const tpl = (params: Record<string, unknown>) => ({
	resource: 'message',
	operation: 'sendTemplate',
	phoneNumberId: SENDER,
	to: '919800000001',
	languageCode: '',
	headerType: 'none',
	...params,
});
const videoTemplate = wa_id('new_post_video');
function wa_id(name: string) {
	return () => wa.templates.find((t) => t.name === name)!.id;
}

describe('Message → Send Template', () => {
	it('sends a template picked from the list with a video header, body parameters and a URL button', async () => {
		const { output } = await runNode({
			baseUrl: graph.url,
			params: tpl({
				template: { __rl: true, mode: 'list', value: videoTemplate() },
				headerType: 'video',
				headerMediaSource: 'link',
				headerMediaLink: 'https://cdn.example.com/reel.mp4',
				bodyParameters: { parameter: [{ text: 'Asha' }, { text: 'Diwali offers' }] },
				buttonParameters: { button: [{ index: 0, subType: 'url', value: 'reel-42' }] },
			}),
		});
		expect(output[0].json.wamid).toMatch(/^wamid\./);
		expect(sends()[0].body).toEqual({
			messaging_product: 'whatsapp',
			recipient_type: 'individual',
			to: '919800000001',
			type: 'template',
			template: {
				name: 'new_post_video',
				language: { code: 'en' },
				components: [
					{ type: 'header', parameters: [{ type: 'video', video: { link: 'https://cdn.example.com/reel.mp4' } }] },
					{
						type: 'body',
						parameters: [
							{ type: 'text', text: 'Asha' },
							{ type: 'text', text: 'Diwali offers' },
						],
					},
					{ type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'reel-42' }] },
				],
			},
		});
	});

	it('sends by name with an image header (media id), text header, document header and a copy-code button', async () => {
		await runNode({
			baseUrl: graph.url,
			params: tpl({
				template: { __rl: true, mode: 'name', value: 'new_post_image' },
				languageCode: 'en',
				headerType: 'image',
				headerMediaSource: 'id',
				headerMediaId: '778899',
				bodyParameters: { parameter: [{ text: 'Asha' }, { text: 'Masala chai' }, { text: '₹199' }] },
				buttonParameters: { button: [{ index: 0, subType: 'url', value: 'masala-chai' }] },
			}),
		});
		await runNode({
			baseUrl: graph.url,
			params: tpl({
				template: { __rl: true, mode: 'name', value: 'order_update' },
				languageCode: 'en_US',
				headerType: 'text',
				headerText: '#A-1001',
				bodyParameters: { parameter: [{ text: 'Monday' }] },
				buttonParameters: { button: [{ index: 0, subType: 'copy_code', value: 'SAVE10' }] },
			}),
		});
		await runNode({
			baseUrl: graph.url,
			params: tpl({
				template: { mode: 'name', value: 'invoice_pdf' },
				languageCode: 'hi',
				headerType: 'document',
				headerMediaSource: 'link',
				headerMediaLink: 'https://cdn.example.com/inv.pdf',
				headerFilename: 'invoice.pdf',
				bodyParameters: { parameter: [{ text: 'आशा' }] },
			}),
		});
		const [image, text, doc] = sends().map((r) => (r.body as any).template);
		expect(image.components[0]).toEqual({ type: 'header', parameters: [{ type: 'image', image: { id: '778899' } }] });
		expect(text.components[0]).toEqual({ type: 'header', parameters: [{ type: 'text', text: '#A-1001' }] });
		expect(text.components[2]).toEqual({
			type: 'button',
			sub_type: 'copy_code',
			index: '0',
			parameters: [{ type: 'coupon_code', coupon_code: 'SAVE10' }],
		});
		expect(doc.components[0].parameters[0]).toEqual({
			type: 'document',
			document: { link: 'https://cdn.example.com/inv.pdf', filename: 'invoice.pdf' },
		});
		expect(sends().every((r) => r.status === 200)).toBe(true);
	});

	it.each([
		[
			{
				bodyParameters: { parameter: [{ text: 'Asha' }] },
				headerType: 'video',
				headerMediaLink: 'https://x.example/v.mp4',
				buttonParameters: { button: [{ index: 0, subType: 'url', value: 'x' }] },
			},
			/expects 2 body parameters \(\{\{1\}\}, \{\{2\}\}\); you gave 1/,
		],
		[
			{
				bodyParameters: { parameter: [{ text: 'A' }, { text: 'B' }] },
				headerType: 'image',
				headerMediaLink: 'https://x.example/v.jpg',
				buttonParameters: { button: [{ index: 0, subType: 'url', value: 'x' }] },
			},
			/has a VIDEO header: set Header Parameter to Video/,
		],
		[
			{
				bodyParameters: { parameter: [{ text: 'A' }, { text: 'B' }] },
				headerType: 'video',
				headerMediaLink: 'https://x.example/v.mp4',
			},
			/URL button 0 \("Watch"\) needs its URL suffix/,
		],
		[
			{
				bodyParameters: { parameter: [{ text: 'A' }, { text: 'B' }] },
				headerType: 'video',
				headerMediaLink: 'https://x.example/v.mp4',
				buttonParameters: {
					button: [
						{ index: 0, subType: 'url', value: 'x' },
						{ index: 5, subType: 'quick_reply', value: 'y' },
					],
				},
			},
			/has no button at index 5/,
		],
	])('checks parameters against the template definition before sending: %#', async (params, message) => {
		await expect(
			runNode({
				baseUrl: graph.url,
				params: tpl({ template: { mode: 'list', value: videoTemplate() }, headerMediaSource: 'link', ...params }),
			}),
		).rejects.toThrow(message);
		expect(sends()).toHaveLength(0);
	});

	it('lets Meta decide when the template is not in the account (132001 with code, fix and fbtrace_id)', async () => {
		const error = await runNode({
			baseUrl: graph.url,
			params: tpl({ template: { mode: 'name', value: 'no_such_template' }, languageCode: 'en' }),
		}).catch((e) => e);
		expect(error.message).toBe(
			'WhatsApp error 132001: template does not exist in this language (or is not approved) — pick an approved template and its language',
		);
		expect(error.description).toMatch(/template name \(no_such_template\) does not exist in en/);
		expect(error.description).toMatch(/fbtrace_id [A-Za-z0-9]{6,}/);
	});
});

describe('Message → Mark as Read', () => {
	it('sends a read receipt with the typing indicator', async () => {
		const { output } = await runNode({
			baseUrl: graph.url,
			params: {
				resource: 'message',
				operation: 'markAsRead',
				phoneNumberId: SENDER,
				messageId: 'wamid.IN1',
				typingIndicator: true,
			},
		});
		expect(output[0].json).toEqual({ success: true, message_id: 'wamid.IN1' });
		expect(sends()[0].body).toEqual({
			messaging_product: 'whatsapp',
			status: 'read',
			message_id: 'wamid.IN1',
			typing_indicator: { type: 'text' },
		});
		expect(wa.reads).toContainEqual({ messageId: 'wamid.IN1', typing: true });
	});
});

describe('Media', () => {
	it('uploads a binary, gets its URL and metadata, downloads it back to binary, deletes it', async () => {
		const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]);
		const items = [
			{ json: {}, binary: { data: { data: bytes.toString('base64'), mimeType: 'image/png', fileName: 'logo.png' } } },
		];
		const up = await runNode({
			baseUrl: graph.url,
			items,
			params: { resource: 'media', operation: 'upload', phoneNumberId: SENDER, binaryPropertyName: 'data' },
		});
		const id = up.output[0].json.id as string;
		expect(wa.media.get(id)?.data.equals(bytes)).toBe(true);

		const meta = await runNode({ baseUrl: graph.url, params: { resource: 'media', operation: 'get', mediaId: id } });
		expect(meta.output[0].json).toMatchObject({ id, mime_type: 'image/png', file_size: bytes.length });

		const down = await runNode({
			baseUrl: graph.url,
			params: { resource: 'media', operation: 'download', mediaId: id, outputBinaryPropertyName: 'file' },
		});
		expect(Buffer.from(down.output[0].binary!.file.data, 'base64').equals(bytes)).toBe(true);
		expect(down.output[0].binary!.file.mimeType).toBe('image/png');
		const download = graph.requests.find((r) => r.route === 'whatsapp.media.download')!;
		expect(download.headers.authorization).toBe(`Bearer ${TOKEN}`);

		const del = await runNode({ baseUrl: graph.url, params: { resource: 'media', operation: 'delete', mediaId: id } });
		expect(del.output[0].json).toEqual({ success: true, id });
		expect(wa.media.has(id)).toBe(false);
	});

	it("with continueOnFail, a Meta refusal comes back on the item with Meta's code and fbtrace_id", async () => {
		const { output } = await runNode({
			baseUrl: graph.url,
			params: { resource: 'media', operation: 'get', mediaId: '999000111222' },
			continueOnFail: true,
		});
		expect(output).toHaveLength(1);
		const error = output[0].json.error as Record<string, unknown>;
		expect(error.message).toMatch(/^WhatsApp error \d+/);
		expect(error).toMatchObject({ code: expect.any(Number), fbtrace_id: expect.stringMatching(/^\w+$/) });
		expect(error.message).toContain(String(error.code));
	});

	it('refuses a file over the size limit before uploading', async () => {
		const big = Buffer.alloc(5 * 1024 * 1024 + 1);
		const items = [
			{ json: {}, binary: { data: { data: big.toString('base64'), mimeType: 'image/jpeg', fileName: 'huge.jpg' } } },
		];
		await expect(
			runNode({
				baseUrl: graph.url,
				items,
				params: { resource: 'media', operation: 'upload', phoneNumberId: SENDER, binaryPropertyName: 'data' },
			}),
		).rejects.toThrow(/huge\.jpg" is 5\.0 MB; WhatsApp accepts images up to 5 MB/);
		expect(graph.requests).toHaveLength(0);
	});
});

describe('Template management', () => {
	it('lists with filters and follows pagination cursors', async () => {
		const all = await runNode({
			baseUrl: graph.url,
			params: { resource: 'template', operation: 'list', returnAll: true, filters: {} },
		});
		expect(all.output.map((o) => o.json.name)).toEqual(wa.templates.map((t) => t.name));
		const approvedMarketing = await runNode({
			baseUrl: graph.url,
			params: {
				resource: 'template',
				operation: 'list',
				returnAll: false,
				limit: 1,
				filters: { status: ['APPROVED'], category: ['MARKETING'] },
			},
		});
		expect(approvedMarketing.output.map((o) => o.json.name)).toEqual(['new_post_video']);
		expect(graph.requests.find((r) => r.query.status)?.query).toMatchObject({
			status: 'APPROVED',
			category: 'MARKETING',
		});
	});

	it('paginates across pages when there are more templates than one page', async () => {
		const extra = Array.from({ length: 120 }, (_, n) => ({
			id: String(800000 + n),
			name: `bulk_${n}`,
			language: 'en',
			status: 'APPROVED',
			category: 'UTILITY',
			components: [{ type: 'BODY', text: 'x' }],
		}));
		wa.templates.push(...extra);
		try {
			const all = await runNode({
				baseUrl: graph.url,
				params: { resource: 'template', operation: 'list', returnAll: true, filters: {} },
			});
			expect(all.output).toHaveLength(wa.templates.length);
			expect(new Set(all.output.map((o) => o.json.id)).size).toBe(wa.templates.length);
			expect(graph.requests.length).toBeGreaterThan(1);
		} finally {
			wa.templates.splice(wa.templates.length - extra.length, extra.length);
		}
	});

	it('sends currency and date_time body parameters as Meta defines them, and refuses a bad currency before sending', async () => {
		const image = {
			template: { __rl: true, mode: 'name', value: 'new_post_image' },
			languageCode: 'en',
			headerType: 'image',
			headerMediaSource: 'id',
			headerMediaId: '778899',
			buttonParameters: { button: [{ index: 0, subType: 'url', value: 'masala-chai' }] },
		};
		await runNode({
			baseUrl: graph.url,
			params: tpl({
				...image,
				bodyParameters: {
					parameter: [
						{ text: 'Asha' },
						{ text: 'Sunday, 3 November', type: 'date_time' },
						{ text: '₹199.50', type: 'currency', currencyCode: 'inr', amount: 199.5 },
					],
				},
			}),
		});
		const body = (sends().at(-1)!.body as any).template.components.find((c: { type: string }) => c.type === 'body');
		expect(body.parameters).toEqual([
			{ type: 'text', text: 'Asha' },
			{ type: 'date_time', date_time: { fallback_value: 'Sunday, 3 November' } },
			{ type: 'currency', currency: { fallback_value: '₹199.50', code: 'INR', amount_1000: 199500 } },
		]);
		const before = graph.requests.length;
		await expect(
			runNode({
				baseUrl: graph.url,
				params: tpl({
					...image,
					bodyParameters: {
						parameter: [
							{ text: 'Asha' },
							{ text: 'x' },
							{ text: '₹1', type: 'currency', currencyCode: 'rupees', amount: 1 },
						],
					},
				}),
			}),
		).rejects.toThrow(/Body parameter 3 is a currency: give its ISO 4217 code/);
		expect(graph.requests.filter((r) => r.method === 'POST')).toHaveLength(
			graph.requests.slice(0, before).filter((r) => r.method === 'POST').length,
		);
	});

	it('creates, gets and deletes a template', async () => {
		const components = [
			{ type: 'BODY', text: 'Hi {{1}}, {{2}} is back!', example: { body_text: [['Asha', 'Chai']] } },
			{ type: 'FOOTER', text: 'Reply STOP to opt out' },
		];
		const created = await runNode({
			baseUrl: graph.url,
			params: {
				resource: 'template',
				operation: 'create',
				templateName: 'back_in_stock',
				category: 'MARKETING',
				language: 'en',
				components: JSON.stringify(components),
				allowCategoryChange: true,
			},
		});
		expect(created.output[0].json).toMatchObject({ status: 'PENDING', category: 'MARKETING', name: 'back_in_stock' });
		const id = created.output[0].json.id as string;
		const got = await runNode({
			baseUrl: graph.url,
			params: { resource: 'template', operation: 'get', template: { mode: 'id', value: id } },
		});
		expect(got.output[0].json).toMatchObject({ id, name: 'back_in_stock', status: 'PENDING' });
		const byName = await runNode({
			baseUrl: graph.url,
			params: { resource: 'template', operation: 'get', template: { mode: 'name', value: 'back_in_stock' } },
		});
		expect(byName.output[0].json.id).toBe(id);
		const deleted = await runNode({
			baseUrl: graph.url,
			params: { resource: 'template', operation: 'delete', deleteName: 'back_in_stock', deleteId: '' },
		});
		expect(deleted.output[0].json).toEqual({ success: true, name: 'back_in_stock' });
		expect(wa.templates.some((t) => t.name === 'back_in_stock')).toBe(false);
	});

	it("sets a message TTL within Meta's range for the category, and refuses one outside it before submitting", async () => {
		const components = [{ type: 'BODY', text: 'Diwali sale is live' }];
		const params = {
			resource: 'template',
			operation: 'create',
			templateName: 'ttl_sale',
			category: 'MARKETING',
			language: 'en',
			components: JSON.stringify(components),
		};
		await runNode({ baseUrl: graph.url, params: { ...params, messageSendTtlSeconds: 86_400 } });
		expect(graph.requests.at(-1)?.body).toMatchObject({ name: 'ttl_sale', message_send_ttl_seconds: 86_400 });
		const before = graph.requests.length;
		await expect(
			runNode({ baseUrl: graph.url, params: { ...params, templateName: 'ttl_short', messageSendTtlSeconds: 600 } }),
		).rejects.toThrow(/Message TTL for a MARKETING template must be 43200 to 2592000 seconds, got 600/);
		expect(graph.requests).toHaveLength(before);
	});

	it('refuses a body variable without an example before submitting', async () => {
		const components = [{ type: 'BODY', text: 'Hi {{1}}' }];
		await expect(
			runNode({
				baseUrl: graph.url,
				params: {
					resource: 'template',
					operation: 'create',
					templateName: 'no_example',
					category: 'UTILITY',
					language: 'en',
					components,
				},
			}),
		).rejects.toThrow(/BODY has 1 variable\(s\): give example\.body_text/);
		expect(graph.requests).toHaveLength(0);
	});
});

describe('Phone numbers and pickers', () => {
	it('lists phone numbers and gets one with quality rating and throughput', async () => {
		const list = await runNode({
			baseUrl: graph.url,
			params: { resource: 'phoneNumber', operation: 'list', returnAll: true },
		});
		expect(list.output.map((o) => o.json.id)).toEqual(wa.phoneNumbers.map((p) => p.id));
		const one = await runNode({
			baseUrl: graph.url,
			params: { resource: 'phoneNumber', operation: 'get', phoneNumberId: SENDER },
		});
		expect(one.output[0].json).toMatchObject({
			id: DEFAULT_PHONE_NUMBER_ID,
			quality_rating: 'GREEN',
			throughput: { level: 'STANDARD' },
			messaging_limit_tier: 'TIER_1K',
		});
	});

	it('searches sender numbers and approved templates for the resource locators', async () => {
		const ctx = loadOptionsContext(graph.url);
		const numbers = await searchPhoneNumbers.call(ctx, 'support');
		expect(numbers.results).toEqual([
			{ name: '+91 98000 00001 — Chai Point Support (YELLOW)', value: '106540352242923' },
		]);
		const templates = await searchTemplates.call(ctx, 'new_post');
		expect(templates.results.map((r) => r.name)).toEqual([
			'new_post_video (en) — MARKETING',
			'new_post_image (en) — MARKETING',
		]);
		const approved = await searchTemplates.call(ctx);
		expect(approved.results.map((r) => r.name)).not.toContain('paused_promo (en) — MARKETING');
	});
});
