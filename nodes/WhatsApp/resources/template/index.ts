import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { LimitError } from '../../shared/limits';
import { getCredentials, graphCall, graphPaginate } from '../../shared/transport';
import type { ItemOperation } from '../../shared/types';
import { templateLocator } from '../message/sendTemplate';

const show = (operation: string[]) => ({ show: { resource: ['template'], operation } });
const FIELDS = 'id,name,language,status,category,parameter_format,components,quality_score,rejected_reason';

const list: ItemOperation = {
	description: [
		{ displayName: 'Return All', name: 'returnAll', type: 'boolean', default: false, description: 'Whether to return all results or only up to a given limit', displayOptions: show(['list']) },
		{ displayName: 'Limit', name: 'limit', type: 'number', typeOptions: { minValue: 1 }, default: 50, description: 'Max number of results to return', displayOptions: { show: { resource: ['template'], operation: ['list'], returnAll: [false] } } },
		{
			displayName: 'Filters',
			name: 'filters',
			type: 'collection',
			placeholder: 'Add Filter',
			default: {},
			displayOptions: show(['list']),
			options: [
				{ displayName: 'Name Contains', name: 'name', type: 'string', default: '' },
				{
					displayName: 'Status',
					name: 'status',
					type: 'multiOptions',
					default: [],
					options: ['APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED', 'IN_APPEAL'].map((s) => ({ name: s[0] + s.slice(1).toLowerCase().replace('_', ' '), value: s })),
				},
				{
					displayName: 'Category',
					name: 'category',
					type: 'multiOptions',
					default: [],
					options: [
						{ name: 'Authentication', value: 'AUTHENTICATION' },
						{ name: 'Marketing', value: 'MARKETING' },
						{ name: 'Utility', value: 'UTILITY' },
					],
				},
				{ displayName: 'Language', name: 'language', type: 'string', default: '', placeholder: 'en_US' },
			],
		},
	],
	async execute(this: IExecuteFunctions, i: number): Promise<IDataObject[]> {
		const { businessAccountId } = await getCredentials.call(this);
		const filters = this.getNodeParameter('filters', i, {}) as { name?: string; status?: string[]; category?: string[]; language?: string };
		const qs: IDataObject = { fields: FIELDS };
		if (filters.name) qs.name = filters.name;
		if (filters.status?.length) qs.status = filters.status.join(',');
		if (filters.category?.length) qs.category = filters.category.join(',');
		if (filters.language) qs.language = filters.language;
		const returnAll = this.getNodeParameter('returnAll', i, false) as boolean;
		const limit = returnAll ? undefined : (this.getNodeParameter('limit', i, 50) as number);
		return await graphPaginate.call(this, { method: 'GET', path: `/${businessAccountId}/message_templates`, qs }, limit, i);
	},
};

async function resolveTemplateId(this: IExecuteFunctions, i: number): Promise<string> {
	const locator = this.getNodeParameter('template', i) as { mode: string; value: string };
	const value = String(locator.value ?? '').trim();
	if (!value) throw new LimitError('Template is required');
	if (locator.mode !== 'name') return value;
	const { businessAccountId } = await getCredentials.call(this);
	const page = (await graphCall.call(this, { method: 'GET', path: `/${businessAccountId}/message_templates`, qs: { name: value, fields: 'id,name,language' } }, i)) as { data?: IDataObject[] };
	const match = (page.data ?? []).find((t) => t.name === value);
	if (!match) throw new LimitError(`No template named "${value}" in this WhatsApp Business Account`);
	return String(match.id);
}

const get: ItemOperation = {
	description: [templateLocator(show(['get']))],
	async execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
		const id = await resolveTemplateId.call(this, i);
		return await graphCall.call(this, { method: 'GET', path: `/${id}`, qs: { fields: FIELDS } }, i);
	},
};

const create: ItemOperation = {
	description: [
		{ displayName: 'Name', name: 'templateName', type: 'string', default: '', required: true, placeholder: 'new_post_image', description: 'Lowercase letters, digits and underscores, up to 512 characters', displayOptions: show(['create']) },
		{
			displayName: 'Category',
			name: 'category',
			type: 'options',
			default: 'MARKETING',
			displayOptions: show(['create']),
			options: [
				{ name: 'Authentication', value: 'AUTHENTICATION' },
				{ name: 'Marketing', value: 'MARKETING' },
				{ name: 'Utility', value: 'UTILITY' },
			],
		},
		{ displayName: 'Language Code', name: 'language', type: 'string', default: 'en_US', required: true, displayOptions: show(['create']) },
		{
			displayName: 'Components (JSON)',
			name: 'components',
			type: 'json',
			default:
				'[\n  { "type": "HEADER", "format": "IMAGE", "example": { "header_handle": ["<upload handle>"] } },\n  { "type": "BODY", "text": "Hi {{1}}, {{2}} is back in stock!", "example": { "body_text": [["Asha", "Masala chai"]] } },\n  { "type": "BUTTONS", "buttons": [{ "type": "URL", "text": "Buy now", "url": "https://shop.example.com/{{1}}", "example": ["masala-chai"] }] }\n]',
			required: true,
			description: 'HEADER / BODY / FOOTER / BUTTONS components with examples for every variable, as in Meta\'s template API',
			displayOptions: show(['create']),
		},
		{ displayName: 'Allow Category Change', name: 'allowCategoryChange', type: 'boolean', default: false, description: 'Whether Meta may re-categorise the template instead of rejecting it', displayOptions: show(['create']) },
	],
	async execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
		const { businessAccountId } = await getCredentials.call(this);
		const name = String(this.getNodeParameter('templateName', i, '')).trim();
		if (!/^[a-z0-9_]{1,512}$/.test(name)) throw new LimitError(`Template name "${name}" is not allowed: use lowercase letters, digits and underscores`);
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
				if (!examples || examples.length !== variables) throw new LimitError(`BODY has ${variables} variable(s): give example.body_text with ${variables} sample value(s) — Meta rejects templates without examples`);
			}
		}
		const body: IDataObject = { name, category: this.getNodeParameter('category', i), language: String(this.getNodeParameter('language', i)), components };
		if (this.getNodeParameter('allowCategoryChange', i, false)) body.allow_category_change = true;
		const result = await graphCall.call(this, { method: 'POST', path: `/${businessAccountId}/message_templates`, body }, i);
		return { ...result, name };
	},
};

const remove: ItemOperation = {
	description: [
		{ displayName: 'Name', name: 'deleteName', type: 'string', default: '', required: true, description: 'Deletes the template in all its languages, unless an ID is given', displayOptions: show(['delete']) },
		{ displayName: 'Template ID', name: 'deleteId', type: 'string', default: '', description: 'Optional: delete only this language version', displayOptions: show(['delete']) },
	],
	async execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
		const { businessAccountId } = await getCredentials.call(this);
		const name = String(this.getNodeParameter('deleteName', i, '')).trim();
		if (!name) throw new LimitError('Name is required');
		const id = String(this.getNodeParameter('deleteId', i, '')).trim();
		const qs: IDataObject = { name };
		if (id) qs.hsm_id = id;
		const result = await graphCall.call(this, { method: 'DELETE', path: `/${businessAccountId}/message_templates`, qs }, i);
		return { ...result, name };
	},
};

export const templateOperations: Record<string, ItemOperation> = { list, get, create, delete: remove };

export const templateDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['template'] } },
		default: 'list',
		options: [
			{ name: 'Create', value: 'create', action: 'Create a template', description: 'Submit a new template for Meta\'s review' },
			{ name: 'Delete', value: 'delete', action: 'Delete a template' },
			{ name: 'Get', value: 'get', action: 'Get a template', description: 'Get a template with its components and status' },
			{ name: 'List', value: 'list', action: 'List templates', description: 'List templates with filters' },
		],
	},
	...list.description,
	...get.description,
	...create.description,
	...remove.description,
];
