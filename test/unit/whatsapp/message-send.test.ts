// Message → Send, every type, against the stand-in; each request is validated against Meta's spec.
import {
	startGraphStandIn,
	whatsapp,
	DEFAULT_PHONE_NUMBER_ID,
	type GraphStandIn,
	type WhatsAppState,
} from '../../../sandbox';
import { runNode, SENDER, TOKEN } from './harness';

let graph: GraphStandIn;
beforeAll(async () => {
	graph = await startGraphStandIn({ modules: [whatsapp({ pairRateWindowMs: 0 })], validTokens: [TOKEN] });
});
afterAll(() => graph.close());
beforeEach(() => graph.clearLog());

const base = { resource: 'message', operation: 'send', phoneNumberId: SENDER, to: '+91 98000-00001' };
const sends = () => graph.requests.filter((r) => r.route === 'whatsapp.messages');

async function sendOne(params: Record<string, unknown>, extra: { items?: any[]; continueOnFail?: boolean } = {}) {
	const result = await runNode({ params: { ...base, ...params }, baseUrl: graph.url, ...extra });
	expect(graph.invalidRequests()).toEqual([]);
	return result;
}

describe('Message → Send', () => {
	it('sends text with a URL preview and returns the wamid, paired to its item', async () => {
		const { output } = await sendOne({
			messageType: 'text',
			textBody: 'Namaste! New stock: https://shop.example.com',
			previewUrl: true,
		});
		expect(output).toHaveLength(1);
		expect(output[0].json.wamid).toMatch(/^wamid\./);
		expect(output[0].pairedItem).toEqual({ item: 0 });
		const [request] = sends();
		expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
		expect(request.path).toBe(`/v23.0/${DEFAULT_PHONE_NUMBER_ID}/messages`);
		expect(request.body).toEqual({
			messaging_product: 'whatsapp',
			recipient_type: 'individual',
			to: '919800000001',
			type: 'text',
			text: { body: 'Namaste! New stock: https://shop.example.com', preview_url: true },
		});
	});

	it('sends image by link with caption, video by media id, document with file name, as a reply', async () => {
		await sendOne({
			messageType: 'image',
			mediaSource: 'link',
			mediaLink: 'https://cdn.example.com/p.jpg',
			caption: 'New!',
			replyToMessageId: 'wamid.ABC',
		});
		await sendOne({ messageType: 'video', mediaSource: 'id', mediaId: '1234567890' });
		await sendOne({
			messageType: 'document',
			mediaSource: 'link',
			mediaLink: 'https://cdn.example.com/menu.pdf',
			filename: 'menu.pdf',
		});
		await sendOne({ messageType: 'sticker', mediaSource: 'link', mediaLink: 'https://cdn.example.com/s.webp' });
		const bodies = sends().map((r) => r.body as any);
		expect(bodies[0]).toMatchObject({
			type: 'image',
			image: { link: 'https://cdn.example.com/p.jpg', caption: 'New!' },
			context: { message_id: 'wamid.ABC' },
		});
		expect(bodies[1]).toMatchObject({ type: 'video', video: { id: '1234567890' } });
		expect(bodies[2]).toMatchObject({
			type: 'document',
			document: { link: 'https://cdn.example.com/menu.pdf', filename: 'menu.pdf' },
		});
		expect(bodies[3]).toMatchObject({ type: 'sticker', sticker: { link: 'https://cdn.example.com/s.webp' } });
	});

	it('uploads an n8n binary first and sends it by the returned media id', async () => {
		const data = Buffer.from('fake-mp3-bytes');
		const items = [
			{ json: {}, binary: { voice: { data: data.toString('base64'), mimeType: 'audio/mpeg', fileName: 'note.mp3' } } },
		];
		const { output } = await sendOne(
			{ messageType: 'audio', mediaSource: 'binary', binaryPropertyName: 'voice' },
			{ items },
		);
		const upload = graph.requests.find((r) => r.route === 'whatsapp.media.upload')!;
		expect(upload.parts?.find((p) => p.name === 'file')?.data.equals(data)).toBe(true);
		const mediaId = (upload.response as { id: string }).id;
		expect(sends()[0].body).toMatchObject({ type: 'audio', audio: { id: mediaId } });
		expect(output[0].json.wamid).toMatch(/^wamid\./);
		expect((graph.state.whatsapp as WhatsAppState).media.get(mediaId)?.mime_type).toBe('audio/mpeg');
	});

	it('sends location, contacts and a reaction', async () => {
		await sendOne({
			messageType: 'location',
			latitude: 12.9716,
			longitude: 77.5946,
			locationName: 'Store',
			locationAddress: 'MG Road',
		});
		await sendOne({
			messageType: 'contacts',
			contactsJson: JSON.stringify([
				{
					name: { formatted_name: 'Asha Rao', first_name: 'Asha' },
					phones: [{ phone: '+919800000001', type: 'CELL' }],
				},
			]),
		});
		await sendOne({ messageType: 'reaction', reactionMessageId: 'wamid.XYZ', emoji: '🎉' });
		const bodies = sends().map((r) => r.body as any);
		expect(bodies[0].location).toEqual({
			latitude: '12.9716',
			longitude: '77.5946',
			name: 'Store',
			address: 'MG Road',
		});
		expect(bodies[1].contacts[0].name.formatted_name).toBe('Asha Rao');
		expect(bodies[2]).toMatchObject({ type: 'reaction', reaction: { message_id: 'wamid.XYZ', emoji: '🎉' } });
		expect(bodies[2].context).toBeUndefined();
	});

	it('sends interactive reply buttons, a list and a CTA URL button', async () => {
		await sendOne({
			messageType: 'interactiveButtons',
			headerText: 'Diwali sale',
			bodyText: 'Want the catalogue?',
			footerText: 'Reply STOP to opt out',
			replyButtons: {
				button: [
					{ id: 'yes', title: 'Yes please' },
					{ id: 'no', title: 'No thanks' },
				],
			},
		});
		await sendOne({
			messageType: 'interactiveList',
			bodyText: 'Pick a tea',
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
					{ title: 'Cold', rows: { row: [{ id: 'iced', title: 'Iced tea' }] } },
				],
			},
		});
		await sendOne({
			messageType: 'interactiveCtaUrl',
			bodyText: 'See the reel',
			ctaDisplayText: 'Watch now',
			ctaUrl: 'https://instagram.com/p/abc',
		});
		const bodies = sends().map((r) => r.body as any);
		expect(bodies[0].interactive).toEqual({
			type: 'button',
			header: { type: 'text', text: 'Diwali sale' },
			body: { text: 'Want the catalogue?' },
			footer: { text: 'Reply STOP to opt out' },
			action: {
				buttons: [
					{ type: 'reply', reply: { id: 'yes', title: 'Yes please' } },
					{ type: 'reply', reply: { id: 'no', title: 'No thanks' } },
				],
			},
		});
		expect(bodies[1].interactive.action.sections[0].rows[0]).toEqual({
			id: 'masala',
			title: 'Masala chai',
			description: '₹199',
		});
		expect(bodies[1].interactive.action.button).toBe('Teas');
		expect(bodies[2].interactive).toMatchObject({
			type: 'cta_url',
			action: { name: 'cta_url', parameters: { display_text: 'Watch now', url: 'https://instagram.com/p/abc' } },
		});
	});

	it('puts a picture, video or document above reply buttons and CTA URL messages (link, media id or uploaded binary)', async () => {
		const buttons = { button: [{ id: 'yes', title: 'Yes please' }] };
		await sendOne({
			messageType: 'interactiveButtons',
			interactiveHeaderType: 'image',
			interactiveHeaderMediaSource: 'link',
			interactiveHeaderMediaLink: 'https://cdn.example.com/diwali.jpg',
			headerText: 'ignored',
			bodyText: 'Want the catalogue?',
			replyButtons: buttons,
		});
		await sendOne({
			messageType: 'interactiveCtaUrl',
			interactiveHeaderType: 'document',
			interactiveHeaderMediaSource: 'id',
			interactiveHeaderMediaId: '5550001',
			interactiveHeaderFilename: 'menu.pdf',
			bodyText: 'Our menu',
			ctaDisplayText: 'Order',
			ctaUrl: 'https://shop.example.com',
		});
		const clip = Buffer.from('fake-mp4-bytes');
		const items = [
			{ json: {}, binary: { clip: { data: clip.toString('base64'), mimeType: 'video/mp4', fileName: 'reel.mp4' } } },
		];
		await sendOne(
			{
				messageType: 'interactiveButtons',
				interactiveHeaderType: 'video',
				interactiveHeaderMediaSource: 'binary',
				interactiveHeaderBinaryField: 'clip',
				bodyText: 'New reel',
				replyButtons: buttons,
			},
			{ items },
		);
		const upload = graph.requests.find((r) => r.route === 'whatsapp.media.upload')!;
		expect(upload.parts?.find((part) => part.name === 'file')?.data.equals(clip)).toBe(true);
		const bodies = sends().map((r) => r.body as any);
		expect(bodies[0].interactive.header).toEqual({
			type: 'image',
			image: { link: 'https://cdn.example.com/diwali.jpg' },
		});
		expect(bodies[1].interactive.header).toEqual({
			type: 'document',
			document: { id: '5550001', filename: 'menu.pdf' },
		});
		expect(bodies[2].interactive.header).toEqual({
			type: 'video',
			video: { id: (upload.response as { id: string }).id },
		});
		// A list message keeps its text header whatever the (hidden) header type says.
		await sendOne({
			messageType: 'interactiveList',
			interactiveHeaderType: 'image',
			headerText: 'Teas',
			bodyText: 'Pick one',
			listButtonText: 'Menu',
			listSections: { section: [{ rows: { row: [{ id: 'm', title: 'Masala' }] } }] },
		});
		expect((sends()[3].body as any).interactive.header).toEqual({ type: 'text', text: 'Teas' });
	});

	it.each([
		[
			{
				messageType: 'interactiveButtons',
				bodyText: 'x',
				replyButtons: { button: [1, 2, 3, 4].map((n) => ({ id: `b${n}`, title: `B${n}` })) },
			},
			/Reply Buttons: 1 to 3 allowed, got 4/,
		],
		[
			{
				messageType: 'interactiveButtons',
				bodyText: 'x',
				replyButtons: {
					button: [
						{ id: 'a', title: 'Same' },
						{ id: 'b', title: 'Same' },
					],
				},
			},
			/Button titles must be unique/,
		],
		[
			{
				messageType: 'interactiveButtons',
				bodyText: 'x',
				replyButtons: { button: [{ id: 'a', title: 'This title is far too long' }] },
			},
			/Button 1 title is 26 characters; WhatsApp allows at most 20/,
		],
		[
			{
				messageType: 'interactiveList',
				bodyText: 'x',
				listButtonText: 'Menu',
				listSections: { section: [{ title: 'S', rows: { row: [{ id: 'r', title: 'x'.repeat(25) }] } }] },
			},
			/Row 1 title is 25 characters; WhatsApp allows at most 24/,
		],
		[
			{
				messageType: 'interactiveList',
				bodyText: 'x',
				listButtonText: 'Menu',
				listSections: {
					section: [
						{ title: 'S', rows: { row: Array.from({ length: 11 }, (_, n) => ({ id: `r${n}`, title: `R${n}` })) } },
					],
				},
			},
			/Rows in all sections: 1 to 10 allowed, got 11/,
		],
		[
			{
				messageType: 'interactiveList',
				bodyText: 'x',
				listButtonText: 'Menu',
				listSections: {
					section: [{ rows: { row: [{ id: 'a', title: 'A' }] } }, { rows: { row: [{ id: 'b', title: 'B' }] } }],
				},
			},
			/Section 1 title is required/,
		],
		[
			{ messageType: 'interactiveCtaUrl', bodyText: 'x', ctaDisplayText: 'Go', ctaUrl: 'instagram.com/p' },
			/Button URL must be an http\(s\) URL/,
		],
		[
			{
				messageType: 'interactiveCtaUrl',
				interactiveHeaderType: 'image',
				interactiveHeaderMediaSource: 'link',
				interactiveHeaderMediaLink: 'cdn/diwali.jpg',
				bodyText: 'x',
				ctaDisplayText: 'Go',
				ctaUrl: 'https://x.example',
			},
			/Header Media Link must be an http\(s\) URL/,
		],
		[{ messageType: 'text', textBody: 'x'.repeat(4097) }, /Text is 4097 characters; WhatsApp allows at most 4096/],
		[
			{ messageType: 'image', mediaSource: 'link', mediaLink: 'https://x.example/p.jpg', caption: 'c'.repeat(1025) },
			/Caption is 1025 characters/,
		],
		[{ messageType: 'text', textBody: 'hi', to: 'call me' }, /Recipient "call me" is not a phone number/],
	])('checks limits before sending: %#', async (params, message) => {
		await expect(runNode({ params: { ...base, ...params }, baseUrl: graph.url })).rejects.toThrow(message);
		expect(sends()).toHaveLength(0);
	});

	it('with continueOnFail, an invalid item becomes an error item and the others are sent, in order', async () => {
		const texts = ['first', '', 'third'];
		const { output } = await runNode({
			params: (i) => ({ ...base, to: `91980000010${i}`, messageType: 'text', textBody: texts[i] }),
			items: texts.map(() => ({ json: {} })),
			continueOnFail: true,
			baseUrl: graph.url,
		});
		expect(output.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(output[0].json.wamid).toMatch(/^wamid/);
		expect((output[1].json.error as any).message).toBe('Text is required');
		expect(output[2].json.wamid).toMatch(/^wamid/);
		expect(sends().map((r) => (r.body as any).text.body)).toEqual(['first', 'third']);
	});
});
