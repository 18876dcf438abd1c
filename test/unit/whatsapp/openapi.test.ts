import { SPEC_SLIPS, specHasOperation, validateRequestBody } from '../../../sandbox/openapi';

const MSG = '/{Version}/{Phone-Number-ID}/messages';
const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to: '919800000001' };

describe('Meta OpenAPI validation (with the listed spec slips corrected)', () => {
	it('accepts a text message and rejects unknown properties and wrong types', () => {
		expect(
			validateRequestBody('POST', MSG, { ...base, type: 'text', text: { body: 'hi', preview_url: true } }),
		).toEqual([]);
		expect(validateRequestBody('POST', MSG, { ...base, type: 'text', text: { body: 'hi' }, bogus: 1 })).not.toEqual([]);
		expect(
			validateRequestBody('POST', MSG, { ...base, type: 'text', text: { body: 'hi', preview_url: 'yes' } }),
		).not.toEqual([]);
		expect(validateRequestBody('POST', MSG, { ...base, type: 'nonsense' })).not.toEqual([]);
	});

	it('accepts a template with button index "0" and a language without policy (spec slips)', () => {
		const body = {
			...base,
			type: 'template',
			template: {
				name: 'promo',
				language: { code: 'en_US' },
				components: [
					{ type: 'header', parameters: [{ type: 'video', video: { link: 'https://cdn.example.com/v.mp4' } }] },
					{ type: 'body', parameters: [{ type: 'text', text: 'Asha' }] },
					{ type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'sale' }] },
				],
			},
		};
		expect(validateRequestBody('POST', MSG, body)).toEqual([]);
		expect(SPEC_SLIPS.map((s) => s.id)).toEqual(
			expect.arrayContaining(['button-index-pattern', 'language-policy-required']),
		);
	});

	it('validates template header parameters by their type (discriminator honoured)', () => {
		const body = {
			...base,
			type: 'template',
			template: {
				name: 'promo',
				language: { code: 'en' },
				components: [{ type: 'header', parameters: [{ type: 'video' }] }],
			},
		};
		expect(validateRequestBody('POST', MSG, body).join('\n')).toMatch(/video/);
	});

	it('rejects a list message with a row title over 24 characters, and more than 3 reply buttons', () => {
		const list = {
			...base,
			type: 'interactive',
			interactive: {
				type: 'list',
				body: { text: 'Pick' },
				action: { button: 'Menu', sections: [{ title: 'A', rows: [{ id: '1', title: 'x'.repeat(25) }] }] },
			},
		};
		expect(validateRequestBody('POST', MSG, list)).not.toEqual([]);
		const buttons = {
			...base,
			type: 'interactive',
			interactive: {
				type: 'button',
				body: { text: 'Pick' },
				action: { buttons: [1, 2, 3, 4].map((i) => ({ type: 'reply', reply: { id: `${i}`, title: `B${i}` } })) },
			},
		};
		expect(validateRequestBody('POST', MSG, buttons)).not.toEqual([]);
	});

	it('accepts a read receipt with typing indicator, and rejects a malformed one', () => {
		expect(
			validateRequestBody('POST', MSG, {
				messaging_product: 'whatsapp',
				status: 'read',
				message_id: 'wamid.X',
				typing_indicator: { type: 'text' },
			}),
		).toEqual([]);
		expect(validateRequestBody('POST', MSG, { messaging_product: 'whatsapp', status: 'read' })).not.toEqual([]);
	});
});

describe("the operations the node calls exist in Meta's spec", () => {
	it.each([
		['POST', '/{Version}/{Phone-Number-ID}/messages'],
		['POST', '/{Version}/{Phone-Number-ID}/media'],
		['GET', '/{Version}/{Media-ID}'],
		['DELETE', '/{Version}/{Media-ID}'],
		['GET', '/{Version}/{WABA-ID}/message_templates'],
		['POST', '/{Version}/{WABA-ID}/message_templates'],
		['DELETE', '/{Version}/{WABA-ID}/message_templates'],
		['GET', '/{Version}/{TEMPLATE_ID}'],
		['GET', '/{Version}/{WABA-ID}/phone_numbers'],
		['GET', '/{Version}/{Phone-Number-ID}'],
		['GET', '/{Version}/{WABA-ID}'],
	])('%s %s', (method, path) => {
		expect(specHasOperation(method, path)).toBe(true);
	});
});
