import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { bulkSend } from '../../shared/bulkSend';
import {
	checkAgainstDefinition,
	mediaObject,
	messageBody,
	templateContent,
	type TemplateBodyParameter,
	type TemplateCard,
	type TemplateHeader,
} from '../../shared/build';
import { readTemplateValues, type TemplateValues } from '../../shared/build/templateValues';
import { getPhoneNumberId, phoneNumberField, recipientField, templateLocator } from '../../shared/fields';
import { LimitError, normalizeRecipient } from '../../shared/limits';
import { getCredentials, graphCall } from '../../shared/transport';
import type { BuildContext, PreparedSend, TemplateDefinition } from '../../shared/types';

const show = { resource: ['message'], operation: ['sendTemplate'] };
/** The header, body, button and card fields: shown when the values come from the fields, not from JSON. */
const fromFields = { ...show, valuesFrom: ['fields'] };
const TEMPLATE_FIELDS = 'id,name,language,status,category,parameter_format,components';
const TEMPLATE_VALUES_EXAMPLE = JSON.stringify(
	{
		header: { type: 'image', link: 'https://cdn.example.com/post.jpg' },
		body: [{ name: 'first_name', text: 'Asha' }],
		buttons: [{ index: 0, subType: 'url', value: 'masala-chai' }],
	},
	null,
	2,
);

/** A carousel card's button N (index N-1): its type and value. */
function cardButtonFields(n: 1 | 2): INodeProperties[] {
	return [
		{
			displayName: `Button ${n} Type`,
			name: `button${n}Type`,
			type: 'options',
			default: 'none',
			description: `The card's button at index ${n - 1}, if it takes a value`,
			options: [
				{ name: 'None', value: 'none' },
				{ name: 'Quick Reply (Payload)', value: 'quick_reply' },
				{ name: 'URL (Dynamic Suffix)', value: 'url' },
			],
		},
		{
			displayName: `Button ${n} Value`,
			name: `button${n}Value`,
			type: 'string',
			default: '',
			description: 'URL suffix or payload',
		},
	];
}

export const description: INodeProperties[] = [
	phoneNumberField(show),
	recipientField(show),
	templateLocator({ show }),
	{
		displayName: 'Language Code',
		name: 'languageCode',
		type: 'string',
		default: '',
		placeholder: 'en_US',
		description:
			'Template language, e.g. en, en_US, hi. Leave empty to use the language of the template picked from the list or by ID.',
		displayOptions: { show },
	},
	{
		displayName: 'Send Marketing Templates Through the Marketing Messages API',
		name: 'marketingMessagesApi',
		type: 'boolean',
		default: true,
		description:
			'Whether a MARKETING template goes to the Marketing Messages API (POST /{phone number ID}/marketing_messages), where Meta directs marketing sends. When Meta says the account is not onboarded to it, the message goes through /messages and the item says so in "note". Other categories always use /messages.',
		displayOptions: { show },
	},
	{
		displayName: 'Template Values',
		name: 'valuesFrom',
		type: 'options',
		default: 'fields',
		description: "Where the template's header, body, button and card values come from",
		displayOptions: { show },
		options: [
			{ name: 'Fields Below', value: 'fields' },
			{
				name: 'JSON',
				value: 'json',
				description: 'One JSON object, e.g. built by a form from the template the staff picked',
			},
		],
	},
	{
		displayName: 'Template Values (JSON)',
		name: 'templateValues',
		type: 'json',
		default: TEMPLATE_VALUES_EXAMPLE,
		description:
			'One object with "header" (type text with its text, or image, video or document with a link or ID), "body" (the values in order; {"name", "text"} for named parameters), "buttons" ({"index", "subType", "value"}) and, for a carousel, "cards" (each with "header", "body", "buttons")',
		displayOptions: { show: { ...show, valuesFrom: ['json'] } },
	},
	{
		displayName: 'Header Parameter',
		name: 'headerType',
		type: 'options',
		default: 'none',
		description: "The template header's variable part, if its header has one",
		displayOptions: { show: fromFields },
		options: [
			{ name: 'Document', value: 'document' },
			{ name: 'Image', value: 'image' },
			{ name: 'None', value: 'none' },
			{ name: 'Text', value: 'text' },
			{ name: 'Video', value: 'video' },
		],
	},
	{
		displayName: 'Header Text',
		name: 'headerText',
		type: 'string',
		default: '',
		required: true,
		description: 'Replaces {{1}} in the header, up to 60 characters',
		displayOptions: { show: { ...fromFields, headerType: ['text'] } },
	},
	{
		displayName: 'Header Media Source',
		name: 'headerMediaSource',
		type: 'options',
		default: 'link',
		displayOptions: { show: { ...fromFields, headerType: ['image', 'video', 'document'] } },
		options: [
			{ name: 'Link (Public HTTPS URL)', value: 'link' },
			{ name: 'Media ID', value: 'id' },
		],
	},
	{
		displayName: 'Header Media Link',
		name: 'headerMediaLink',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://cdn.example.com/post.jpg',
		displayOptions: {
			show: { ...fromFields, headerType: ['image', 'video', 'document'], headerMediaSource: ['link'] },
		},
	},
	{
		displayName: 'Header Media ID',
		name: 'headerMediaId',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show: { ...fromFields, headerType: ['image', 'video', 'document'], headerMediaSource: ['id'] } },
	},
	{
		displayName: 'Header Document File Name',
		name: 'headerFilename',
		type: 'string',
		default: '',
		displayOptions: { show: { ...fromFields, headerType: ['document'] } },
	},
	{
		displayName: 'Body Parameters',
		name: 'bodyParameters',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		placeholder: 'Add Body Parameter',
		description: 'Values for {{1}}, {{2}}, … in order (or by name for templates with named parameters)',
		displayOptions: { show: fromFields },
		options: [
			{
				name: 'parameter',
				displayName: 'Parameter',
				values: [
					{
						displayName: 'Amount',
						name: 'amount',
						type: 'number',
						typeOptions: { numberPrecision: 3 },
						default: 0,
						description: 'The amount in the currency, e.g. 199.50, for a currency parameter',
					},
					{
						displayName: 'Currency Code',
						name: 'currencyCode',
						type: 'string',
						default: '',
						placeholder: 'INR',
						description: 'ISO 4217 code, for a currency parameter',
					},
					{
						displayName: 'Parameter Name',
						name: 'name',
						type: 'string',
						default: '',
						description: 'Only for templates with named parameters ({{first_name}})',
					},
					{
						displayName: 'Text',
						name: 'text',
						type: 'string',
						default: '',
						required: true,
						description: 'The value; for a currency or date, the text shown where WhatsApp cannot localise it',
					},
					{
						displayName: 'Type',
						name: 'type',
						type: 'options',
						default: 'text',
						options: [
							{ name: 'Currency', value: 'currency' },
							{ name: 'Date and Time', value: 'date_time' },
							{ name: 'Text', value: 'text' },
						],
					},
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
		description:
			"Values for the template's buttons: a URL suffix, a quick-reply payload, a coupon code or a flow token",
		displayOptions: { show: fromFields },
		options: [
			{
				name: 'button',
				displayName: 'Button',
				values: [
					{
						displayName: 'Button Index',
						name: 'index',
						type: 'number',
						typeOptions: { minValue: 0, maxValue: 9 },
						default: 0,
						description: 'Position of the button in the template, starting at 0',
					},
					{
						displayName: 'Button Type',
						name: 'subType',
						type: 'options',
						default: 'url',
						options: [
							{ name: 'URL (Dynamic Suffix)', value: 'url' },
							{ name: 'Quick Reply (Payload)', value: 'quick_reply' },
							{ name: 'Copy Code (Coupon)', value: 'copy_code' },
							{ name: 'Flow (Flow Token)', value: 'flow' },
						],
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						required: true,
						description: 'URL suffix, payload, coupon code or flow token',
					},
				],
			},
		],
	},
	{
		displayName: 'Carousel Cards',
		name: 'carouselCards',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		placeholder: 'Add Card',
		description:
			'For a media-card carousel template: one entry per card, in order (2 to 10), each with its header media, body values and button values',
		displayOptions: { show: fromFields },
		options: [
			{
				name: 'card',
				displayName: 'Card',
				values: [
					{
						displayName: 'Body Parameters',
						name: 'bodyValues',
						type: 'string',
						typeOptions: { rows: 3 },
						default: '',
						description: "Values for the card body's {{1}}, {{2}}, …, one per line",
					},
					...cardButtonFields(1),
					...cardButtonFields(2),
					{
						displayName: 'Header Media Link',
						name: 'mediaLink',
						type: 'string',
						default: '',
						required: true,
						placeholder: 'https://cdn.example.com/card-1.jpg',
					},
					{
						displayName: 'Header Type',
						name: 'headerType',
						type: 'options',
						default: 'image',
						options: [
							{ name: 'Image', value: 'image' },
							{ name: 'Video', value: 'video' },
						],
					},
				],
			},
		],
	},
];

async function fetchDefinition(
	this: IExecuteFunctions,
	mode: string,
	value: string,
	language: string,
	itemIndex: number,
): Promise<TemplateDefinition | undefined> {
	if (mode === 'name') {
		const { businessAccountId } = await getCredentials.call(this);
		const page = (await graphCall.call(
			this,
			{
				method: 'GET',
				path: `/${businessAccountId}/message_templates`,
				qs: { name: value, fields: TEMPLATE_FIELDS, limit: 100 },
			},
			itemIndex,
		)) as { data?: TemplateDefinition[] };
		return (page.data ?? []).find((t) => t.name === value && (!language || t.language === language));
	}
	return (await graphCall.call(
		this,
		{ method: 'GET', path: `/${value}`, qs: { fields: TEMPLATE_FIELDS } },
		itemIndex,
	)) as unknown as TemplateDefinition;
}

type Param = <T>(name: string, fallback?: T) => T;

/** The template's name and language, and its definition when it can be loaded (cached per run). */
async function readTemplate(
	this: IExecuteFunctions,
	p: Param,
	i: number,
	context: BuildContext,
): Promise<{ name: string; language: string; def?: TemplateDefinition }> {
	const locator = p<{ mode: string; value: string }>('template', { mode: 'name', value: '' });
	const templateValue = String(locator?.value ?? '').trim();
	if (!templateValue) throw new LimitError('Template is required: pick one from the list, or give its name or ID');
	const language = p<string>('languageCode', '').trim();
	if (locator.mode === 'name' && !language)
		throw new LimitError('Language Code is required when the template is given by name (e.g. en_US)');
	const key = locator.mode === 'name' ? `name:${templateValue}|${language}` : `id:${templateValue}`;
	if (!context.templates.has(key))
		context.templates.set(
			key,
			fetchDefinition.call(this, locator.mode, templateValue, language, i).catch(() => undefined),
		);
	const def = await context.templates.get(key);
	// By name and not found (or the lookup failed): no check here; Meta answers 132001 if it does not exist.
	const name = locator.mode === 'name' ? templateValue : (def?.name ?? '');
	if (!name)
		throw new LimitError(
			`Template ${templateValue} could not be loaded: check the ID or pick the template from the list`,
		);
	const resolved = language || (def?.language ?? '');
	if (!resolved) throw new LimitError('Language Code is required');
	return { name, language: resolved, def };
}

type CardParams = {
	bodyValues?: string;
	button1Type?: string;
	button1Value?: string;
	button2Type?: string;
	button2Value?: string;
	mediaLink?: string;
	headerType?: string;
};

/** The carousel cards of the item (none for other templates). */
function readCards(p: Param): TemplateCard[] {
	const cards = (p<IDataObject>('carouselCards', {}).card as CardParams[] | undefined) ?? [];
	return cards.map((card, i) => {
		const type = card.headerType === 'video' ? 'video' : 'image';
		const buttons = [
			{ index: 0, subType: card.button1Type ?? 'none', value: String(card.button1Value ?? '') },
			{ index: 1, subType: card.button2Type ?? 'none', value: String(card.button2Value ?? '') },
		].filter((b) => b.subType !== 'none');
		const body = String(card.bodyValues ?? '')
			.split('\n')
			.map((v) => v.trim())
			.filter(Boolean)
			.map((text) => ({ text }));
		return {
			header: {
				type,
				media: mediaObject({ from: 'link', link: String(card.mediaLink ?? '') }, `Card ${i + 1} Header Media Link`),
			},
			body,
			buttons,
		};
	});
}

function readHeader(p: Param, headerType: string): TemplateHeader {
	if (headerType === 'none') return { type: 'none' };
	if (headerType === 'text') return { type: 'text', text: p<string>('headerText') };
	const source =
		p<string>('headerMediaSource', 'link') === 'id'
			? { from: 'id' as const, id: p<string>('headerMediaId') }
			: { from: 'link' as const, link: p<string>('headerMediaLink') };
	const media = mediaObject(source, 'Header Media');
	if (headerType === 'document') {
		const filename = p<string>('headerFilename', '');
		if (filename) media.filename = filename;
	}
	return { type: headerType as 'image' | 'video' | 'document', media };
}

/** The header, body, button and card values from the node's fields. */
function readFieldValues(p: Param): TemplateValues {
	const headerType = p<string>('headerType', 'none');
	const body = (
		(p<IDataObject>('bodyParameters', {}).parameter as
			Array<{ text: string; name?: string; type?: string; currencyCode?: string; amount?: number }> | undefined) ?? []
	).map((b): TemplateBodyParameter => ({
		text: String(b.text ?? ''),
		name: b.name ? String(b.name) : undefined,
		type: b.type === 'currency' || b.type === 'date_time' ? b.type : 'text',
		currencyCode: b.currencyCode,
		amount: b.amount,
	}));
	const buttons = (
		(p<IDataObject>('buttonParameters', {}).button as
			Array<{ index: number; subType: string; value: string }> | undefined) ?? []
	).map((b) => ({ index: Number(b.index ?? 0), subType: String(b.subType ?? 'url'), value: String(b.value ?? '') }));
	const cards = readCards(p);
	return { headerType, header: readHeader(p, headerType), body, buttons, cards };
}

/** One item's template message: read its parameters, check them against the template, build the body. */
export async function readSendTemplate(
	this: IExecuteFunctions,
	i: number,
	context: BuildContext,
): Promise<PreparedSend> {
	const p: Param = <T>(name: string, fallback?: T) => context.parameter<T>(name, i, fallback);
	const phoneNumberId = getPhoneNumberId.call(this, i, context.parameter);
	if (!phoneNumberId) throw new LimitError('Sender Phone Number is required: pick one from the list or enter its ID');
	const to = normalizeRecipient(p<string>('to'));
	const { name, language, def } = await readTemplate.call(this, p, i, context);
	const { headerType, header, body, buttons, cards } =
		p<string>('valuesFrom', 'fields') === 'json'
			? readTemplateValues(p<unknown>('templateValues', '{}'))
			: readFieldValues(p);
	if (def) checkAgainstDefinition(def, { headerType, body, buttons, cards });
	const content = templateContent({ name, language, header, body, buttons, cards });
	// The category is known only from the template's definition (picked from the list, by ID, or found by name).
	const marketing = def?.category === 'MARKETING' && p<boolean>('marketingMessagesApi', true);
	return { phoneNumberId, to, body: messageBody(to, content), endpoint: marketing ? 'marketing_messages' : 'messages' };
}

/** A batch operation: every item of the run goes out through one throttle. */
export const kind = 'batch';

export const execute = bulkSend(readSendTemplate);
