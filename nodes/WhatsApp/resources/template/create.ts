import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { forOperation } from '../../../shared/operation';
import { TEMPLATE_CATEGORIES } from '../../shared/fields';
import { checkTtl, LimitError } from '../../shared/limits';
import { getCredentials, graphCall } from '../../shared/transport';

export const description: INodeProperties[] = forOperation('template', 'create', [
	{
		displayName: 'Name',
		name: 'templateName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'new_post_image',
		description: 'Lowercase letters, digits and underscores, up to 512 characters',
	},
	{
		displayName: 'Category',
		name: 'category',
		type: 'options',
		default: 'MARKETING',
		options: TEMPLATE_CATEGORIES,
	},
	{ displayName: 'Language Code', name: 'language', type: 'string', default: 'en_US', required: true },
	{
		displayName: 'Components (JSON)',
		name: 'components',
		type: 'json',
		default:
			'[\n  { "type": "HEADER", "format": "IMAGE", "example": { "header_handle": ["<upload handle>"] } },\n  { "type": "BODY", "text": "Hi {{1}}, {{2}} is back in stock!", "example": { "body_text": [["Asha", "Masala chai"]] } },\n  { "type": "BUTTONS", "buttons": [{ "type": "URL", "text": "Buy now", "url": "https://shop.example.com/{{1}}", "example": ["masala-chai"] }] }\n]',
		required: true,
		description:
			"HEADER / BODY / FOOTER / BUTTONS components with examples for every variable, as in Meta's template API",
	},
	{
		displayName: 'Allow Category Change',
		name: 'allowCategoryChange',
		type: 'boolean',
		default: false,
		description: 'Whether Meta may re-categorise the template instead of rejecting it',
	},
	{
		displayName: 'Message TTL (Seconds)',
		name: 'messageSendTtlSeconds',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description:
			"How long Meta keeps trying to deliver a message of this template (0: Meta's default). Marketing: 43200–2592000 (12 hours to 30 days, applies to sends through the Marketing Messages API); utility: 30–43200; authentication: 30–900.",
	},
]);

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const { businessAccountId } = await getCredentials.call(this);
	const name = String(this.getNodeParameter('templateName', i, '')).trim();
	if (!/^[a-z0-9_]{1,512}$/.test(name))
		throw new LimitError(`Template name "${name}" is not allowed: use lowercase letters, digits and underscores`);
	let components = this.getNodeParameter('components', i) as unknown;
	if (typeof components === 'string') {
		const text = components;
		components = (() => {
			try {
				return JSON.parse(text);
			} catch {
				return undefined;
			}
		})();
		if (components === undefined) throw new LimitError('Components (JSON) is not valid JSON');
	}
	if (!Array.isArray(components) || !components.some((c: IDataObject) => String(c.type).toUpperCase() === 'BODY')) {
		throw new LimitError('Components must be a JSON array with a BODY component');
	}
	for (const component of components as IDataObject[]) {
		const text = String(component.text ?? '');
		const variables = new Set(Array.from(text.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g), (m) => m[1])).size;
		if (String(component.type).toUpperCase() === 'BODY' && variables > 0) {
			const examples = ((component.example as IDataObject | undefined)?.body_text as unknown[][] | undefined)?.[0];
			if (!examples || examples.length !== variables)
				throw new LimitError(
					`BODY has ${variables} variable(s): give example.body_text with ${variables} sample value(s) — Meta rejects templates without examples`,
				);
		}
	}
	const body: IDataObject = {
		name,
		category: this.getNodeParameter('category', i),
		language: String(this.getNodeParameter('language', i)),
		components,
	};
	if (this.getNodeParameter('allowCategoryChange', i, false)) body.allow_category_change = true;
	const ttl = Number(this.getNodeParameter('messageSendTtlSeconds', i, 0));
	if (ttl) body.message_send_ttl_seconds = checkTtl(String(body.category), ttl);
	const result = await graphCall.call(
		this,
		{ method: 'POST', path: `/${businessAccountId}/message_templates`, body },
		i,
	);
	return { ...result, name };
}
