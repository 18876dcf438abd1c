// The pure builders of the Cloud API message body, one family at a time: the JSON Meta expects.
import {
	checkAgainstDefinition,
	contactsContent,
	interactiveContent,
	locationContent,
	mediaContent,
	mediaObject,
	messageBody,
	reactionContent,
	templateContent,
	textContent,
} from '../../../nodes/WhatsApp/shared/build';
import type { TemplateDefinition } from '../../../nodes/WhatsApp/shared/types';
import { readTemplateValues } from '../../../nodes/WhatsApp/shared/build/templateValues';

const envelope = { messaging_product: 'whatsapp', recipient_type: 'individual', to: '919800000001' };

describe('messageBody', () => {
	it('wraps a content with the recipient and an optional reply context', () => {
		expect(messageBody('919800000001', textContent('hi'), 'wamid.Q')).toEqual({
			...envelope,
			type: 'text',
			text: { body: 'hi', preview_url: false },
			context: { message_id: 'wamid.Q' },
		});
		expect(messageBody('919800000001', textContent('hi'), '  ')).toEqual({
			...envelope,
			type: 'text',
			text: { body: 'hi', preview_url: false },
		});
	});
	it('never puts a context on a reaction', () => {
		expect(messageBody('919800000001', reactionContent('wamid.X', '👍'), 'wamid.Q')).toEqual({
			...envelope,
			type: 'reaction',
			reaction: { message_id: 'wamid.X', emoji: '👍' },
		});
	});
});

describe('text', () => {
	it('builds body and preview_url', () => {
		expect(textContent('Namaste https://shop.example.com', true)).toEqual({
			type: 'text',
			text: { body: 'Namaste https://shop.example.com', preview_url: true },
		});
	});
	it('refuses empty and over-long text, naming the field', () => {
		expect(() => textContent('')).toThrow('Text is required');
		expect(() => textContent('x'.repeat(4097))).toThrow('Text is 4097 characters; WhatsApp allows at most 4096');
		expect(textContent('😀'.repeat(4096)).type).toBe('text'); // code points, not UTF-16 units
	});
});

describe('media', () => {
	it('media objects from a link, an ID, or a binary still to upload', () => {
		expect(mediaObject({ from: 'link', link: 'https://cdn.example.com/p.jpg' }, 'Media')).toEqual({
			link: 'https://cdn.example.com/p.jpg',
		});
		expect(mediaObject({ from: 'id', id: ' 123 ' }, 'Media')).toEqual({ id: '123' });
		expect(mediaObject({ from: 'binary', property: 'data' }, 'Media')).toEqual({});
		expect(() => mediaObject({ from: 'link', link: 'cdn/p.jpg' }, 'Header Media')).toThrow(
			'Header Media Link must be an http(s) URL, got "cdn/p.jpg"',
		);
		expect(() => mediaObject({ from: 'id', id: ' ' }, 'Media')).toThrow('Media ID is required');
	});
	it('image, video and document take a caption; document a file name; audio and sticker neither', () => {
		expect(mediaContent('image', { link: 'https://c/p.jpg' }, { caption: 'New!' })).toEqual({
			type: 'image',
			image: { link: 'https://c/p.jpg', caption: 'New!' },
		});
		expect(mediaContent('document', { id: '9' }, { caption: '', filename: 'menu.pdf' })).toEqual({
			type: 'document',
			document: { id: '9', filename: 'menu.pdf' },
		});
		expect(mediaContent('audio', { id: '9' }, { caption: 'ignored', filename: 'ignored' })).toEqual({
			type: 'audio',
			audio: { id: '9' },
		});
		expect(mediaContent('sticker', { link: 'https://c/s.webp' })).toEqual({
			type: 'sticker',
			sticker: { link: 'https://c/s.webp' },
		});
		expect(() => mediaContent('video', { id: '9' }, { caption: 'c'.repeat(1025) })).toThrow(
			'Caption is 1025 characters',
		);
	});
});

describe('location, contacts, reaction', () => {
	it('location: coordinates as strings, name and address when given', () => {
		expect(locationContent({ latitude: 12.9716, longitude: 77.5946, name: 'Store', address: 'MG Road' })).toEqual({
			type: 'location',
			location: { latitude: '12.9716', longitude: '77.5946', name: 'Store', address: 'MG Road' },
		});
		expect(locationContent({ latitude: 0, longitude: -1.5 })).toEqual({
			type: 'location',
			location: { latitude: '0', longitude: '-1.5' },
		});
	});
	it('contacts: from JSON text, an array or one object; formatted_name required', () => {
		const asha = {
			name: { formatted_name: 'Asha Rao', first_name: 'Asha' },
			phones: [{ phone: '+919800000001', type: 'CELL' }],
		};
		expect(contactsContent(JSON.stringify([asha]))).toEqual({ type: 'contacts', contacts: [asha] });
		expect(contactsContent(asha)).toEqual({ type: 'contacts', contacts: [asha] });
		expect(() => contactsContent('[{')).toThrow('Contacts (JSON) is not valid JSON');
		expect(() => contactsContent([])).toThrow('Contacts: 1 to 257 allowed, got 0');
		expect(() => contactsContent([{ name: {} }])).toThrow('Contact 1: name.formatted_name is required');
	});
	it('reaction: the message and the emoji (empty removes it)', () => {
		expect(reactionContent(' wamid.X ', '')).toEqual({
			type: 'reaction',
			reaction: { message_id: 'wamid.X', emoji: '' },
		});
		expect(() => reactionContent('', '👍')).toThrow('Message ID to React To is required');
	});
});

describe('interactive', () => {
	it('reply buttons with a text header and footer', () => {
		expect(
			interactiveContent({
				header: { type: 'text', text: 'Diwali sale' },
				body: 'Want the catalogue?',
				footer: 'Reply STOP to opt out',
				action: {
					kind: 'buttons',
					buttons: [
						{ id: 'yes', title: 'Yes please' },
						{ id: 'no', title: 'No thanks' },
					],
				},
			}),
		).toEqual({
			type: 'interactive',
			interactive: {
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
			},
		});
	});
	it('a list: sections with titles, rows with optional descriptions', () => {
		expect(
			interactiveContent({
				body: 'Pick a tea',
				action: {
					kind: 'list',
					buttonText: 'Teas',
					sections: [
						{
							title: 'Hot',
							rows: [
								{ id: 'masala', title: 'Masala chai', description: '₹199' },
								{ id: 'ginger', title: 'Ginger chai' },
							],
						},
						{ title: 'Cold', rows: [{ id: 'iced', title: 'Iced tea' }] },
					],
				},
			}),
		).toEqual({
			type: 'interactive',
			interactive: {
				type: 'list',
				body: { text: 'Pick a tea' },
				action: {
					button: 'Teas',
					sections: [
						{
							title: 'Hot',
							rows: [
								{ id: 'masala', title: 'Masala chai', description: '₹199' },
								{ id: 'ginger', title: 'Ginger chai' },
							],
						},
						{ title: 'Cold', rows: [{ id: 'iced', title: 'Iced tea' }] },
					],
				},
			},
		});
	});
	it('a CTA URL button under a document header', () => {
		expect(
			interactiveContent({
				header: { type: 'document', media: { id: '5550001', filename: 'menu.pdf' } },
				body: 'Our menu',
				action: { kind: 'ctaUrl', displayText: 'Order', url: 'https://shop.example.com' },
			}),
		).toEqual({
			type: 'interactive',
			interactive: {
				type: 'cta_url',
				header: { type: 'document', document: { id: '5550001', filename: 'menu.pdf' } },
				body: { text: 'Our menu' },
				action: { name: 'cta_url', parameters: { display_text: 'Order', url: 'https://shop.example.com' } },
			},
		});
	});
	it.each([
		[
			{
				body: 'x',
				action: { kind: 'buttons' as const, buttons: [1, 2, 3, 4].map((n) => ({ id: `b${n}`, title: `B${n}` })) },
			},
			'Reply Buttons: 1 to 3 allowed, got 4',
		],
		[
			{
				body: 'x',
				action: {
					kind: 'buttons' as const,
					buttons: [
						{ id: 'a', title: 'Same' },
						{ id: 'b', title: 'Same' },
					],
				},
			},
			'Button titles must be unique',
		],
		[
			{
				body: 'x',
				action: {
					kind: 'list' as const,
					buttonText: 'Menu',
					sections: [{ rows: [{ id: 'a', title: 'A' }] }, { rows: [{ id: 'b', title: 'B' }] }],
				},
			},
			'Section 1 title is required',
		],
		[
			{ body: 'x', action: { kind: 'list' as const, buttonText: 'Menu', sections: [{ title: 'S', rows: [] }] } },
			'Rows in all sections: 1 to 10 allowed, got 0',
		],
		[
			{ body: '', action: { kind: 'ctaUrl' as const, displayText: 'Go', url: 'https://x.example' } },
			'Body Text is required',
		],
		[
			{ body: 'x', action: { kind: 'ctaUrl' as const, displayText: 'Go', url: 'instagram.com/p' } },
			'Button URL must be an http(s) URL',
		],
		[
			{
				body: 'x',
				header: { type: 'image' as const, media: { id: '1' } },
				action: { kind: 'list' as const, buttonText: 'M', sections: [{ rows: [{ id: 'a', title: 'A' }] }] },
			},
			'A list message takes a text header only',
		],
	])('refuses what Meta would reject: %#', (input, message) => {
		expect(() => interactiveContent(input)).toThrow(message);
	});
});

describe('template', () => {
	it('header, body and button components as Meta expects them', () => {
		expect(
			templateContent({
				name: 'new_post_video',
				language: 'en',
				header: { type: 'video', media: { link: 'https://cdn.example.com/reel.mp4' } },
				body: [{ text: 'Asha' }, { text: 'Diwali offers', name: 'offer' }],
				buttons: [
					{ index: 0, subType: 'url', value: 'reel-42' },
					{ index: 1, subType: 'quick_reply', value: 'STOP' },
					{ index: 2, subType: 'copy_code', value: 'DIWALI10' },
				],
			}),
		).toEqual({
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
							{ type: 'text', text: 'Diwali offers', parameter_name: 'offer' },
						],
					},
					{ type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'reel-42' }] },
					{ type: 'button', sub_type: 'quick_reply', index: '1', parameters: [{ type: 'payload', payload: 'STOP' }] },
					{
						type: 'button',
						sub_type: 'copy_code',
						index: '2',
						parameters: [{ type: 'coupon_code', coupon_code: 'DIWALI10' }],
					},
				],
			},
		});
	});
	it('no components when the template has no variables; a text header parameter', () => {
		expect(
			templateContent({ name: 'hello_world', language: 'en_US', header: { type: 'none' }, body: [], buttons: [] }),
		).toEqual({ type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } } });
		expect(
			templateContent({ name: 't', language: 'hi', header: { type: 'text', text: 'Asha' }, body: [], buttons: [] })
				.template,
		).toEqual({
			name: 't',
			language: { code: 'hi' },
			components: [{ type: 'header', parameters: [{ type: 'text', text: 'Asha' }] }],
		});
	});
	it('refuses empty parameters and a button index given twice', () => {
		const base = { name: 't', language: 'en', header: { type: 'none' as const } };
		expect(() => templateContent({ ...base, body: [{ text: ' ' }], buttons: [] })).toThrow('Body parameter 1 is empty');
		expect(() =>
			templateContent({
				...base,
				body: [],
				buttons: [
					{ index: 0, subType: 'url', value: 'a' },
					{ index: 0, subType: 'url', value: 'b' },
				],
			}),
		).toThrow('Button index 0 is given twice');
		expect(() => templateContent({ ...base, body: [], buttons: [{ index: 0, subType: 'url', value: '' }] })).toThrow(
			'Button 0 value is empty',
		);
	});
	it('checks the parameters against the template definition', () => {
		const def: TemplateDefinition = {
			name: 'promo',
			language: 'en',
			status: 'APPROVED',
			components: [
				{ type: 'HEADER', format: 'IMAGE' },
				{ type: 'BODY', text: 'Hi {{1}}, {{2}} is back' },
				{ type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Buy', url: 'https://shop.example.com/{{1}}' }] },
			],
		};
		const ok = { headerType: 'image', body: [{ text: 'a' }, { text: 'b' }], buttons: [{ index: 0, subType: 'url' }] };
		expect(() => checkAgainstDefinition(def, ok)).not.toThrow();
		expect(() => checkAgainstDefinition(def, { ...ok, headerType: 'none' })).toThrow(
			'Template "promo" (en) has a IMAGE header: set Header Parameter to Image',
		);
		expect(() => checkAgainstDefinition(def, { ...ok, body: [{ text: 'a' }] })).toThrow(
			'expects 2 body parameters ({{1}}, {{2}}); you gave 1',
		);
		expect(() => checkAgainstDefinition(def, { ...ok, buttons: [] })).toThrow(
			'URL button 0 ("Buy") needs its URL suffix',
		);
		expect(() => checkAgainstDefinition(def, { ...ok, buttons: [{ index: 1, subType: 'url' }] })).toThrow(
			'has no button at index 1',
		);
		expect(() => checkAgainstDefinition({ ...def, status: 'PAUSED' }, ok)).toThrow('is PAUSED, not APPROVED');
	});
});

describe('readTemplateValues (Template Values: JSON)', () => {
	it('reads header media, named and positional body values, buttons and carousel cards into the fields’ shapes', () => {
		const values = readTemplateValues(
			JSON.stringify({
				header: { type: 'image', link: 'https://cdn.example.com/a.jpg' },
				body: [{ name: 'first_name', text: 'Asha' }, 'Masala chai', 199],
				buttons: [{ index: 0, subType: 'url', value: 'chai' }],
				cards: [
					{ header: { link: 'https://cdn.example.com/1.jpg' }, body: ['₹199'], buttons: [{ index: 0, value: 'x' }] },
				],
			}),
		);
		expect(values).toEqual({
			headerType: 'image',
			header: { type: 'image', media: { link: 'https://cdn.example.com/a.jpg' } },
			body: [
				{ text: 'Asha', name: 'first_name', type: 'text', currencyCode: undefined, amount: undefined },
				{ text: 'Masala chai' },
				{ text: '199' },
			],
			buttons: [{ index: 0, subType: 'url', value: 'chai' }],
			cards: [
				{
					header: { type: 'image', media: { link: 'https://cdn.example.com/1.jpg' } },
					body: [{ text: '₹199' }],
					buttons: [{ index: 0, subType: 'url', value: 'x' }],
				},
			],
		});
		expect(readTemplateValues({})).toEqual({
			headerType: 'none',
			header: { type: 'none' },
			body: [],
			buttons: [],
			cards: [],
		});
		expect(readTemplateValues({ header: { type: 'text', text: '#123' } }).header).toEqual({
			type: 'text',
			text: '#123',
		});
	});

	it('names the JSON path at fault', () => {
		expect(() => readTemplateValues('{"body": ')).toThrow(/^Template Values is not valid JSON/);
		expect(() => readTemplateValues('[]')).toThrow('Template Values: the value must be an object, got a list');
		expect(() => readTemplateValues({ bodies: [] })).toThrow('Template Values: unknown key bodies');
		expect(() => readTemplateValues({ body: 'Asha' })).toThrow('Template Values: body must be a list, got string');
		expect(() => readTemplateValues({ body: [{ name: 'x' }] })).toThrow(
			'Template Values: body[0].text must be a text, got undefined',
		);
		expect(() => readTemplateValues({ buttons: [{ index: 12, value: 'a' }] })).toThrow(
			'Template Values: buttons[0].index must be a whole number from 0 to 9',
		);
		expect(() => readTemplateValues({ header: { type: 'gif', link: 'https://a' } })).toThrow(
			'Template Values: header.type must be none, text, image, video or document',
		);
		expect(() => readTemplateValues({ header: { type: 'image', link: 'cdn/a.jpg' } })).toThrow(
			'must be an http(s) URL',
		);
		expect(() => readTemplateValues({ cards: [{ header: { type: 'document', link: 'https://a' } }] })).toThrow(
			'Template Values: cards[0].header.type must be image or video',
		);
	});
});
