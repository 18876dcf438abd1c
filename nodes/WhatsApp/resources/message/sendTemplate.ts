import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { getPhoneNumberId, phoneNumberField, recipientField } from '../../shared/fields';
import { checkHttpUrl, checkLength, LIMITS, LimitError, normalizeRecipient, templatePlaceholders } from '../../shared/limits';
import { getCredentials, graphCall } from '../../shared/transport';
import type { BuildContext, PreparedSend, TemplateDefinition } from '../../shared/types';

const show = { resource: ['message'], operation: ['sendTemplate'] };
const TEMPLATE_FIELDS = 'id,name,language,status,category,parameter_format,components';

export const templateLocator = (displayOptions: INodeProperties['displayOptions']): INodeProperties => ({
	displayName: 'Template',
	name: 'template',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'An approved message template of your WhatsApp Business Account',
	displayOptions,
	modes: [
		{ displayName: 'From List', name: 'list', type: 'list', typeOptions: { searchListMethod: 'searchTemplates', searchable: true } },
		{ displayName: 'By Name', name: 'name', type: 'string', placeholder: 'new_post_image' },
		{ displayName: 'By ID', name: 'id', type: 'string', placeholder: '900000000000002', validation: [{ type: 'regex', properties: { regex: '^[0-9]+$', errorMessage: 'A template ID is digits only' } }] },
	],
});

export const sendTemplateDescription: INodeProperties[] = [
	phoneNumberField(show),
	recipientField(show),
	templateLocator({ show }),
	{
		displayName: 'Language Code',
		name: 'languageCode',
		type: 'string',
		default: '',
		placeholder: 'en_US',
		description: 'Template language, e.g. en, en_US, hi. Leave empty to use the language of the template picked from the list or by ID.',
		displayOptions: { show },
	},
	{
		displayName: 'Header Parameter',
		name: 'headerType',
		type: 'options',
		default: 'none',
		description: 'The template header\'s variable part, if its header has one',
		displayOptions: { show },
		options: [
			{ name: 'Document', value: 'document' },
			{ name: 'Image', value: 'image' },
			{ name: 'None', value: 'none' },
			{ name: 'Text', value: 'text' },
			{ name: 'Video', value: 'video' },
		],
	},
	{ displayName: 'Header Text', name: 'headerText', type: 'string', default: '', required: true, description: 'Replaces {{1}} in the header, up to 60 characters', displayOptions: { show: { ...show, headerType: ['text'] } } },
	{
		displayName: 'Header Media Source',
		name: 'headerMediaSource',
		type: 'options',
		default: 'link',
		displayOptions: { show: { ...show, headerType: ['image', 'video', 'document'] } },
		options: [
			{ name: 'Link (Public HTTPS URL)', value: 'link' },
			{ name: 'Media ID', value: 'id' },
		],
	},
	{ displayName: 'Header Media Link', name: 'headerMediaLink', type: 'string', default: '', required: true, placeholder: 'https://cdn.example.com/post.jpg', displayOptions: { show: { ...show, headerType: ['image', 'video', 'document'], headerMediaSource: ['link'] } } },
	{ displayName: 'Header Media ID', name: 'headerMediaId', type: 'string', default: '', required: true, displayOptions: { show: { ...show, headerType: ['image', 'video', 'document'], headerMediaSource: ['id'] } } },
	{ displayName: 'Header Document File Name', name: 'headerFilename', type: 'string', default: '', displayOptions: { show: { ...show, headerType: ['document'] } } },
	{
		displayName: 'Body Parameters',
		name: 'bodyParameters',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		placeholder: 'Add Body Parameter',
		description: 'Values for {{1}}, {{2}}, … in order (or by name for templates with named parameters)',
		displayOptions: { show },
		options: [
			{
				name: 'parameter',
				displayName: 'Parameter',
				values: [
					{ displayName: 'Text', name: 'text', type: 'string', default: '', required: true },
					{ displayName: 'Parameter Name', name: 'name', type: 'string', default: '', description: 'Only for templates with named parameters ({{first_name}})' },
				],
			},
		],
	},
	{
		displayName: 'Button Parameters',
		name: 'buttonParameters',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		placeholder: 'Add Button Parameter',
		description: 'Values for the template\'s buttons: a URL suffix, a quick-reply payload or a coupon code',
		displayOptions: { show },
		options: [
			{
				name: 'button',
				displayName: 'Button',
				values: [
					{ displayName: 'Button Index', name: 'index', type: 'number', typeOptions: { minValue: 0, maxValue: 9 }, default: 0, description: 'Position of the button in the template, starting at 0' },
					{
						displayName: 'Button Type',
						name: 'subType',
						type: 'options',
						default: 'url',
						options: [
							{ name: 'URL (Dynamic Suffix)', value: 'url' },
							{ name: 'Quick Reply (Payload)', value: 'quick_reply' },
							{ name: 'Copy Code (Coupon)', value: 'copy_code' },
						],
					},
					{ displayName: 'Value', name: 'value', type: 'string', default: '', required: true, description: 'URL suffix, payload or coupon code' },
				],
			},
		],
	},
];

async function fetchDefinition(this: IExecuteFunctions, mode: string, value: string, language: string, itemIndex: number): Promise<TemplateDefinition | undefined> {
	if (mode === 'name') {
		const { businessAccountId } = await getCredentials.call(this);
		const page = (await graphCall.call(
			this,
			{ method: 'GET', path: `/${businessAccountId}/message_templates`, qs: { name: value, fields: TEMPLATE_FIELDS, limit: 100 } },
			itemIndex,
		)) as { data?: TemplateDefinition[] };
		return (page.data ?? []).find((t) => t.name === value && (!language || t.language === language));
	}
	return (await graphCall.call(this, { method: 'GET', path: `/${value}`, qs: { fields: TEMPLATE_FIELDS } }, itemIndex)) as unknown as TemplateDefinition;
}

/** Checks the parameters against the template's definition, in the words a user understands. */
export function checkAgainstDefinition(def: TemplateDefinition, sent: { headerType: string; headerText?: string; body: Array<{ text: string; name?: string }>; buttons: Array<{ index: number; subType: string }> }): void {
	const label = `Template "${def.name}" (${def.language})`;
	if (def.status && def.status !== 'APPROVED') throw new LimitError(`${label} is ${def.status}, not APPROVED: only approved templates can be sent`);
	const components = def.components ?? [];
	const header = components.find((c) => c.type === 'HEADER');
	const format = header ? String(header.format ?? 'TEXT').toLowerCase() : 'none';
	if (format === 'text') {
		const needs = templatePlaceholders(header?.text).length;
		if (needs > 0 && sent.headerType !== 'text') throw new LimitError(`${label} has a text header with a variable: set Header Parameter to Text`);
		if (needs === 0 && sent.headerType !== 'none') throw new LimitError(`${label} has a fixed text header: set Header Parameter to None`);
	} else if (['image', 'video', 'document'].includes(format)) {
		if (sent.headerType !== format) throw new LimitError(`${label} has a ${format.toUpperCase()} header: set Header Parameter to ${format[0].toUpperCase()}${format.slice(1)} and give a link or media ID`, `Header Parameter is "${sent.headerType}".`);
	} else if (format === 'none' && sent.headerType !== 'none') {
		throw new LimitError(`${label} has no header: set Header Parameter to None`);
	}
	const body = components.find((c) => c.type === 'BODY');
	const placeholders = templatePlaceholders(body?.text);
	if (placeholders.length !== sent.body.length) {
		throw new LimitError(
			`${label} expects ${placeholders.length} body parameter${placeholders.length === 1 ? '' : 's'} (${placeholders.map((p) => `{{${p}}}`).join(', ') || 'none'}); you gave ${sent.body.length}`,
			`Template body: "${String(body?.text ?? '').slice(0, 200)}"`,
		);
	}
	if (def.parameter_format === 'NAMED') {
		const names = sent.body.map((b) => b.name ?? '');
		const missing = placeholders.filter((p) => !names.includes(p));
		if (missing.length) throw new LimitError(`${label} uses named parameters: give Parameter Name for ${missing.map((m) => `{{${m}}}`).join(', ')}`);
	}
	const buttons = (components.find((c) => c.type === 'BUTTONS')?.buttons ?? []) as Array<{ type: string; url?: string; text?: string }>;
	for (const given of sent.buttons) {
		const button = buttons[given.index];
		if (!button) throw new LimitError(`${label} has no button at index ${given.index} (it has ${buttons.length} button${buttons.length === 1 ? '' : 's'}; the first is index 0)`);
		const expected = button.type.toLowerCase();
		if (expected !== given.subType) throw new LimitError(`${label}: button ${given.index} ("${button.text ?? button.type}") is ${button.type}, not ${given.subType}`);
	}
	for (const [index, button] of buttons.entries()) {
		if (button.type === 'URL' && templatePlaceholders(button.url).length > 0 && !sent.buttons.some((b) => b.index === index)) {
			throw new LimitError(`${label}: URL button ${index} ("${button.text ?? ''}") needs its URL suffix: add a Button Parameter with index ${index}, type URL`, `Button URL: ${button.url}`);
		}
	}
}

export async function buildSendTemplate(this: IExecuteFunctions, i: number, context: BuildContext): Promise<PreparedSend> {
	const p = <T>(name: string, fallback?: T) => this.getNodeParameter(name, i, fallback) as T;
	const phoneNumberId = getPhoneNumberId.call(this, i);
	if (!phoneNumberId) throw new LimitError('Sender Phone Number is required: pick one from the list or enter its ID');
	const to = normalizeRecipient(p<string>('to'));
	const locator = p<{ mode: string; value: string }>('template', { mode: 'name', value: '' });
	const templateValue = String(locator?.value ?? '').trim();
	if (!templateValue) throw new LimitError('Template is required: pick one from the list, or give its name or ID');
	let language = p<string>('languageCode', '').trim();
	if (locator.mode === 'name' && !language) throw new LimitError('Language Code is required when the template is given by name (e.g. en_US)');

	const key = locator.mode === 'name' ? `name:${templateValue}|${language}` : `id:${templateValue}`;
	if (!context.templates.has(key)) context.templates.set(key, fetchDefinition.call(this, locator.mode, templateValue, language, i).catch(() => undefined));
	const def = await context.templates.get(key);
	// By name and not found (or the lookup failed): no check here; Meta answers 132001 if it does not exist.
	const name = locator.mode === 'name' ? templateValue : (def?.name ?? '');
	if (!name) throw new LimitError(`Template ${templateValue} could not be loaded: check the ID or pick the template from the list`);
	if (!language) language = def?.language ?? '';
	if (!language) throw new LimitError('Language Code is required');

	const headerType = p<string>('headerType', 'none');
	const bodyParams = ((p<IDataObject>('bodyParameters', {}).parameter as Array<{ text: string; name?: string }> | undefined) ?? []).map((b) => ({ text: String(b.text ?? ''), name: b.name ? String(b.name) : undefined }));
	const buttonParams = ((p<IDataObject>('buttonParameters', {}).button as Array<{ index: number; subType: string; value: string }> | undefined) ?? []).map((b) => ({ index: Number(b.index ?? 0), subType: String(b.subType ?? 'url'), value: String(b.value ?? '') }));
	if (def) checkAgainstDefinition(def, { headerType, body: bodyParams, buttons: buttonParams });

	const components: IDataObject[] = [];
	if (headerType === 'text') {
		const text = p<string>('headerText');
		checkLength('Header Text', text, LIMITS.templateHeaderText, true);
		components.push({ type: 'header', parameters: [{ type: 'text', text }] });
	} else if (headerType !== 'none') {
		const media: IDataObject = {};
		if (p<string>('headerMediaSource', 'link') === 'id') {
			const id = p<string>('headerMediaId').trim();
			if (!id) throw new LimitError('Header Media ID is required');
			media.id = id;
		} else {
			const link = p<string>('headerMediaLink');
			checkHttpUrl('Header Media Link', link);
			media.link = link;
		}
		if (headerType === 'document') {
			const filename = p<string>('headerFilename', '');
			if (filename) media.filename = filename;
		}
		components.push({ type: 'header', parameters: [{ type: headerType, [headerType]: media }] });
	}
	if (bodyParams.length) {
		for (const [n, param] of bodyParams.entries()) {
			if (param.text.trim() === '') throw new LimitError(`Body parameter ${n + 1} is empty: WhatsApp rejects empty parameters`);
		}
		components.push({ type: 'body', parameters: bodyParams.map((b) => ({ type: 'text', text: b.text, ...(b.name ? { parameter_name: b.name } : {}) })) });
	}
	const seen = new Set<number>();
	for (const button of buttonParams) {
		if (seen.has(button.index)) throw new LimitError(`Button index ${button.index} is given twice`);
		seen.add(button.index);
		if (!button.value) throw new LimitError(`Button ${button.index} value is empty`);
		const parameter =
			button.subType === 'quick_reply'
				? { type: 'payload', payload: button.value }
				: button.subType === 'copy_code'
					? { type: 'coupon_code', coupon_code: button.value }
					: { type: 'text', text: button.value };
		components.push({ type: 'button', sub_type: button.subType, index: String(button.index), parameters: [parameter] });
	}
	const template: IDataObject = { name, language: { code: language } };
	if (components.length) template.components = components;
	return { phoneNumberId, to, body: { messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'template', template } };
}
