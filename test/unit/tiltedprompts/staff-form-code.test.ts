// The staff campaign form's Code nodes, run on their own: the template list becomes dropdown options
// with category and shape, the chosen template becomes exactly its form fields, and the answers become
// the WhatsApp node's Template Values, per customer. (The whole form runs in real n8n in the e2e test.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultTemplates, type TemplateDefinition } from '../../../sandbox/whatsapp';

type Json = Record<string, any>;
type Item = { json: Json; pairedItem?: unknown };

const workflow = JSON.parse(
	readFileSync(join(__dirname, '..', '..', '..', 'workflows', 'staff-campaign-form.json'), 'utf8'),
) as { nodes: Array<{ name: string; parameters: Json }> };

/** Runs a Code node's JavaScript with n8n's `$` (other nodes' output) and `$input`. */
function runCode(node: string, input: Json[], nodes: Record<string, Json[] | undefined>): Item[] {
	const code = workflow.nodes.find((n) => n.name === node)!.parameters.jsCode as string;
	const $ = (name: string) => {
		const items = (nodes[name] ?? []).map((json) => ({ json }));
		return { all: () => items, first: () => items[0], last: () => items.at(-1), isExecuted: nodes[name] !== undefined };
	};
	const $input = { all: () => input.map((json) => ({ json })), first: () => ({ json: input[0] }) };
	return new Function('$', '$input', code)($, $input) as Item[];
}

const FESTIVE: TemplateDefinition = {
	id: '1',
	name: 'festive_drop',
	language: 'en',
	status: 'APPROVED',
	category: 'MARKETING',
	parameter_format: 'NAMED',
	components: [
		{ type: 'HEADER', format: 'IMAGE' },
		{
			type: 'BODY',
			text: 'Hi {{first_name}}, {{product}} is back!',
			example: { body_text_named_params: [{ param_name: 'product', example: 'Masala chai' }] },
		},
		{ type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Buy now', url: 'https://shop.example.com/p/{{1}}' }] },
	],
};

function choices(templates: Json[]): Json {
	return runCode('Template Choices', [], { 'Load Templates': templates })[0].json;
}

describe('staff campaign form: choosing a template', () => {
	it("lists the account's approved templates with language, category and shape, and nothing else", () => {
		const { templates, fields, problem } = choices([...defaultTemplates(), FESTIVE]);
		expect(problem).toBe('');
		expect(fields[0].fieldType).toBe('dropdown');
		expect(fields[0].fieldOptions.values.map((v: Json) => v.option)).toEqual([
			'festive_drop (en) · MARKETING · image header, 2 body values, URL button',
			'hello_world (en_US) · UTILITY · text only',
			'invoice_pdf (hi) · UTILITY · document header, 1 body value',
			'new_post_image (en) · MARKETING · image header, 3 body values, URL button',
			'new_post_video (en) · MARKETING · video header, 2 body values, URL button',
			'order_update (en_US) · UTILITY · text header with a value, 1 body value, coupon code',
		]);
		expect(templates.map((t: Json) => t.name)).not.toContain('paused_promo');
	});

	it('says in plain words when there is nothing to choose, or WhatsApp did not list the templates', () => {
		expect(choices([{}]).problem).toMatch(/^This WhatsApp Business Account has no approved template yet/);
		expect(choices([{ error: { message: 'WhatsApp error 190: access token expired' } }]).problem).toBe(
			'WhatsApp did not list the templates: WhatsApp error 190: access token expired',
		);
	});
});

describe('staff campaign form: the values a template needs', () => {
	const listed = choices([FESTIVE, ...defaultTemplates()]);
	const fieldsFor = (label: string) =>
		runCode('Template Fields', [{ Template: label }], { 'Template Choices': [listed] })[0].json;

	it('asks for the header media, each named body value and the URL button ending, with the customer’s name offered', () => {
		const spec = fieldsFor('festive_drop (en) · MARKETING · image header, 2 body values, URL button');
		expect(spec.fields).toEqual([
			{ fieldLabel: 'Header image URL', requiredField: true, placeholder: 'https://…' },
			{ fieldLabel: 'Body {{first_name}}', requiredField: true, defaultValue: '{{name}}' },
			{ fieldLabel: 'Body {{product}}', requiredField: true, placeholder: 'e.g. Masala chai' },
			{
				fieldLabel: 'Button: button "Buy now": end of the link https://shop.example.com/p/…',
				requiredField: true,
			},
		]);

		const answers = {
			'Header image URL': 'https://cdn.example.com/a.jpg',
			'Body {{first_name}}': '{{name}}',
			'Body {{product}}': ' Masala chai ',
			'Button: button "Buy now": end of the link https://shop.example.com/p/…': 'chai-{{wa_id}}',
		};
		const details = runCode('Campaign Details', [answers], {
			'Template Fields': [spec],
			'Campaign Form': [{ 'Campaign name': 'Drop', 'Audience tag': 'vip', 'Test number': '+91 98000 55555' }],
		})[0].json;
		expect(details).toMatchObject({
			'Template name': 'festive_drop',
			'Template language': 'en',
			'Test number': '+91 98000 55555',
		});
		expect(details.values).toEqual({
			header: { type: 'image', link: 'https://cdn.example.com/a.jpg' },
			body: [
				{ name: 'first_name', text: '{{name}}' },
				{ name: 'product', text: 'Masala chai' },
			],
			buttons: [{ index: 0, subType: 'url', value: 'chai-{{wa_id}}' }],
		});
		expect(details.testValues.body[0]).toEqual({ name: 'first_name', text: 'Test' });
		expect(details.testValues.buttons[0].value).toBe('chai-919800055555');

		const perCustomer = runCode(
			'Message Values',
			[
				{ wa_id: '919800011111', name: 'Asha' },
				{ wa_id: '919800022222', name: null },
			],
			{ 'Campaign Details': [details] },
		);
		expect(perCustomer.map((i) => [i.json.values.body[0].text, i.json.values.buttons[0].value])).toEqual([
			['Asha', 'chai-919800011111'],
			['there', 'chai-919800022222'],
		]);
		expect(perCustomer.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('a text header value, positional body values and a coupon code; a text-only template asks for nothing', () => {
		expect(
			fieldsFor('order_update (en_US) · UTILITY · text header with a value, 1 body value, coupon code').fields.map(
				(f: Json) => f.fieldLabel,
			),
		).toEqual(['Header {{1}}', 'Body {{1}}', 'Button: coupon code']);
		expect(fieldsFor('hello_world (en_US) · UTILITY · text only').fields).toEqual([]);
	});

	it('a template that is not in the list is refused by name', () => {
		expect(() => fieldsFor('nope (en) · UTILITY · text only')).toThrow(
			'The template "nope (en) · UTILITY · text only" is not in the list',
		);
	});
});
