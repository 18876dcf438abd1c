import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { getPhoneNumberId, phoneNumberField, recipientField } from '../../shared/fields';
import { checkCount, checkHttpUrl, checkLength, checkUnique, LIMITS, LimitError, normalizeRecipient } from '../../shared/limits';
import type { PreparedSend } from '../../shared/types';

const show = { resource: ['message'], operation: ['send'] };
const showFor = (messageType: string[]) => ({ show: { ...show, messageType } });
const MEDIA = ['image', 'video', 'audio', 'document', 'sticker'];
const INTERACTIVE = ['interactiveButtons', 'interactiveList', 'interactiveCtaUrl'];
/** Interactive types whose header may be media (Meta: list messages take text headers only). */
const MEDIA_HEADER = ['interactiveButtons', 'interactiveCtaUrl'];
const HEADER_MEDIA = ['image', 'video', 'document'];

/** Parameter names of one "media by link, media ID or n8n binary" choice. */
interface MediaParams {
	source: string;
	link: string;
	id: string;
	binary: string;
}

const MESSAGE_MEDIA: MediaParams = { source: 'mediaSource', link: 'mediaLink', id: 'mediaId', binary: 'binaryPropertyName' };
const HEADER_MEDIA_PARAMS: MediaParams = { source: 'interactiveHeaderMediaSource', link: 'interactiveHeaderMediaLink', id: 'interactiveHeaderMediaId', binary: 'interactiveHeaderBinaryField' };

function mediaFields(names: MediaParams, when: Record<string, string[]>, text: { label: string; binaryLabel?: string; placeholder: string; hint: string }): INodeProperties[] {
	return [
		{
			displayName: `${text.label} Source`,
			name: names.source,
			type: 'options',
			default: 'link',
			displayOptions: { show: when },
			options: [
				{ name: 'Link (Public HTTPS URL)', value: 'link' },
				{ name: 'Media ID (Uploaded Before)', value: 'id' },
				{ name: 'N8n Binary File (Uploaded First)', value: 'binary' },
			],
		},
		{ displayName: `${text.label} Link`, name: names.link, type: 'string', default: '', required: true, placeholder: text.placeholder, displayOptions: { show: { ...when, [names.source]: ['link'] } } },
		{ displayName: `${text.label} ID`, name: names.id, type: 'string', default: '', required: true, displayOptions: { show: { ...when, [names.source]: ['id'] } } },
		{
			displayName: text.binaryLabel ?? 'Input Binary Field',
			name: names.binary,
			type: 'string',
			default: 'data',
			required: true,
			hint: text.hint,
			displayOptions: { show: { ...when, [names.source]: ['binary'] } },
		},
	];
}

export const sendDescription: INodeProperties[] = [
	phoneNumberField(show),
	recipientField(show),
	{
		displayName: 'Message Type',
		name: 'messageType',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show },
		default: 'text',
		options: [
			{ name: 'Audio', value: 'audio' },
			{ name: 'Contacts', value: 'contacts' },
			{ name: 'Document', value: 'document' },
			{ name: 'Image', value: 'image' },
			{ name: 'Interactive: CTA URL Button', value: 'interactiveCtaUrl', description: 'Body text with one button that opens a URL' },
			{ name: 'Interactive: List', value: 'interactiveList', description: 'A menu of up to 10 rows in sections' },
			{ name: 'Interactive: Reply Buttons', value: 'interactiveButtons', description: 'Up to 3 quick-reply buttons' },
			{ name: 'Location', value: 'location' },
			{ name: 'Reaction', value: 'reaction', description: 'React to a message with an emoji' },
			{ name: 'Sticker', value: 'sticker' },
			{ name: 'Text', value: 'text' },
			{ name: 'Video', value: 'video' },
		],
	},
	// text
	{
		displayName: 'Text',
		name: 'textBody',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		description: 'Message text, up to 4096 characters; WhatsApp formatting (*bold*, _italic_) works',
		displayOptions: showFor(['text']),
	},
	{
		displayName: 'Show URL Preview',
		name: 'previewUrl',
		type: 'boolean',
		default: false,
		description: 'Whether to render a preview of the first URL in the text',
		displayOptions: showFor(['text']),
	},
	// media
	...mediaFields(MESSAGE_MEDIA, { ...show, messageType: MEDIA }, { label: 'Media', placeholder: 'https://cdn.example.com/reel.mp4', hint: 'The name of the input binary field containing the file to send' }),
	{
		displayName: 'Caption',
		name: 'caption',
		type: 'string',
		default: '',
		description: 'Up to 1024 characters',
		displayOptions: showFor(['image', 'video', 'document']),
	},
	{
		displayName: 'File Name',
		name: 'filename',
		type: 'string',
		default: '',
		description: 'File name the recipient sees (documents)',
		displayOptions: showFor(['document']),
	},
	// location
	{ displayName: 'Latitude', name: 'latitude', type: 'number', typeOptions: { numberPrecision: 6, minValue: -90, maxValue: 90 }, default: 0, required: true, displayOptions: showFor(['location']) },
	{ displayName: 'Longitude', name: 'longitude', type: 'number', typeOptions: { numberPrecision: 6, minValue: -180, maxValue: 180 }, default: 0, required: true, displayOptions: showFor(['location']) },
	{ displayName: 'Location Name', name: 'locationName', type: 'string', default: '', displayOptions: showFor(['location']) },
	{ displayName: 'Location Address', name: 'locationAddress', type: 'string', default: '', displayOptions: showFor(['location']) },
	// contacts
	{
		displayName: 'Contacts (JSON)',
		name: 'contactsJson',
		type: 'json',
		default: '[\n  {\n    "name": { "formatted_name": "Asha Rao", "first_name": "Asha" },\n    "phones": [{ "phone": "+919800000001", "type": "CELL" }]\n  }\n]',
		required: true,
		description: 'Array of WhatsApp contact objects (name.formatted_name is required; phones, emails, addresses, org, URLs, birthday are optional)',
		displayOptions: showFor(['contacts']),
	},
	// reaction
	{ displayName: 'Message ID to React To', name: 'reactionMessageId', type: 'string', default: '', required: true, placeholder: 'wamid.HBgL…', displayOptions: showFor(['reaction']) },
	{ displayName: 'Emoji', name: 'emoji', type: 'string', default: '👍', description: 'One emoji; empty removes a previous reaction', displayOptions: showFor(['reaction']) },
	// interactive (common)
	{
		displayName: 'Header',
		name: 'interactiveHeaderType',
		type: 'options',
		default: 'text',
		description: 'What sits above the body: text, or a picture, video or document (reply buttons and CTA URL only; list messages take a text header)',
		displayOptions: showFor(MEDIA_HEADER),
		options: [
			{ name: 'Document', value: 'document' },
			{ name: 'Image', value: 'image' },
			{ name: 'Text', value: 'text' },
			{ name: 'Video', value: 'video' },
		],
	},
	{
		displayName: 'Header Text',
		name: 'headerText',
		type: 'string',
		default: '',
		description: 'Optional, up to 60 characters',
		displayOptions: { show: { ...show, messageType: INTERACTIVE }, hide: { interactiveHeaderType: HEADER_MEDIA } },
	},
	...mediaFields(HEADER_MEDIA_PARAMS, { ...show, messageType: MEDIA_HEADER, interactiveHeaderType: HEADER_MEDIA }, {
		label: 'Header Media',
		binaryLabel: 'Header Input Binary Field',
		placeholder: 'https://cdn.example.com/diwali.jpg',
		hint: 'The name of the input binary field containing the header file',
	}),
	{
		displayName: 'Header Document File Name',
		name: 'interactiveHeaderFilename',
		type: 'string',
		default: '',
		description: 'File name the recipient sees',
		displayOptions: { show: { ...show, messageType: MEDIA_HEADER, interactiveHeaderType: ['document'] } },
	},
	{ displayName: 'Body Text', name: 'bodyText', type: 'string', typeOptions: { rows: 3 }, default: '', required: true, description: 'Up to 1024 characters', displayOptions: showFor(INTERACTIVE) },
	{ displayName: 'Footer Text', name: 'footerText', type: 'string', default: '', description: 'Optional, up to 60 characters', displayOptions: showFor(INTERACTIVE) },
	{
		displayName: 'Reply Buttons',
		name: 'replyButtons',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, maxAllowedFields: 3 },
		default: {},
		placeholder: 'Add Button',
		description: 'One to three buttons; titles up to 20 characters and unique',
		displayOptions: showFor(['interactiveButtons']),
		options: [
			{
				name: 'button',
				displayName: 'Button',
				values: [
					{ displayName: 'ID', name: 'id', type: 'string', default: '', required: true, description: 'Returned in the reply webhook, up to 256 characters' },
					{ displayName: 'Title', name: 'title', type: 'string', default: '', required: true },
				],
			},
		],
	},
	{ displayName: 'List Button Text', name: 'listButtonText', type: 'string', default: 'Menu', required: true, description: 'Label of the button that opens the list, up to 20 characters', displayOptions: showFor(['interactiveList']) },
	{
		displayName: 'Sections',
		name: 'listSections',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		placeholder: 'Add Section',
		description: 'Up to 10 sections with at most 10 rows in total',
		displayOptions: showFor(['interactiveList']),
		options: [
			{
				name: 'section',
				displayName: 'Section',
				values: [
					{ displayName: 'Title', name: 'title', type: 'string', default: '', description: 'Up to 24 characters; required when there is more than one section' },
					{
						displayName: 'Rows',
						name: 'rows',
						type: 'fixedCollection',
						typeOptions: { multipleValues: true },
						default: {},
						placeholder: 'Add Row',
						options: [
							{
								name: 'row',
								displayName: 'Row',
								values: [
									{ displayName: 'ID', name: 'id', type: 'string', default: '', required: true, description: 'Returned in the reply webhook, up to 200 characters' },
									{ displayName: 'Title', name: 'title', type: 'string', default: '', required: true, description: 'Up to 24 characters' },
									{ displayName: 'Description', name: 'description', type: 'string', default: '', description: 'Optional, up to 72 characters' },
								],
							},
						],
					},
				],
			},
		],
	},
	{ displayName: 'Button Text', name: 'ctaDisplayText', type: 'string', default: '', required: true, description: 'Up to 20 characters', displayOptions: showFor(['interactiveCtaUrl']) },
	{ displayName: 'Button URL', name: 'ctaUrl', type: 'string', default: '', required: true, placeholder: 'https://shop.example.com/diwali', displayOptions: showFor(['interactiveCtaUrl']) },
	{
		displayName: 'Reply To Message ID',
		name: 'replyToMessageId',
		type: 'string',
		default: '',
		placeholder: 'wamid.HBgL…',
		description: 'Quote this message (context); leave empty for a normal message',
		displayOptions: { show, hide: { messageType: ['reaction'] } },
	},
];

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

type Row = { id: string; title: string; description?: string };

/** `{ link }` or `{ id }` from the parameters, or an empty object the bulk send fills with the uploaded binary's media ID. */
function readMedia(this: IExecuteFunctions, i: number, names: MediaParams, label: string, prepared: PreparedSend): IDataObject {
	const p = <T>(name: string, fallback?: T) => this.getNodeParameter(name, i, fallback) as T;
	const media: IDataObject = {};
	const source = p<string>(names.source, 'link');
	if (source === 'link') {
		const link = p<string>(names.link);
		checkHttpUrl(`${label} Link`, link);
		media.link = link;
	} else if (source === 'id') {
		const id = p<string>(names.id).trim();
		if (!id) throw new LimitError(`${label} ID is required`);
		media.id = id;
	} else {
		prepared.binaryUpload = { propertyName: p<string>(names.binary, 'data'), target: media };
	}
	return media;
}

/** Builds the Cloud API request body of one item, checking Meta's limits first. */
export async function buildSend(this: IExecuteFunctions, i: number): Promise<PreparedSend> {
	const p = <T>(name: string, fallback?: T) => this.getNodeParameter(name, i, fallback) as T;
	const phoneNumberId = getPhoneNumberId.call(this, i);
	if (!phoneNumberId) throw new LimitError('Sender Phone Number is required: pick one from the list or enter its ID');
	const to = normalizeRecipient(p<string>('to'));
	const type = p<string>('messageType');
	const body: IDataObject = { messaging_product: 'whatsapp', recipient_type: 'individual', to };
	const prepared: PreparedSend = { phoneNumberId, to, body };

	if (type === 'text') {
		const text = p<string>('textBody');
		checkLength('Text', text, LIMITS.textBody, true);
		body.type = 'text';
		body.text = { body: text, preview_url: p<boolean>('previewUrl', false) };
	} else if (MEDIA.includes(type)) {
		const media = readMedia.call(this, i, MESSAGE_MEDIA, 'Media', prepared);
		if (['image', 'video', 'document'].includes(type)) {
			const caption = p<string>('caption', '');
			checkLength('Caption', caption, LIMITS.caption);
			if (caption) media.caption = caption;
		}
		if (type === 'document') {
			const filename = p<string>('filename', '');
			if (filename) media.filename = filename;
		}
		body.type = type;
		body[type] = media;
	} else if (type === 'location') {
		const location: IDataObject = { latitude: String(p<number>('latitude')), longitude: String(p<number>('longitude')) };
		const name = p<string>('locationName', '');
		const address = p<string>('locationAddress', '');
		if (name) location.name = name;
		if (address) location.address = address;
		body.type = 'location';
		body.location = location;
	} else if (type === 'contacts') {
		const raw = p<unknown>('contactsJson');
		let contacts: unknown = raw;
		if (typeof raw === 'string') contacts = parseJson(raw);
		if (contacts === undefined) throw new LimitError('Contacts (JSON) is not valid JSON');
		if (!Array.isArray(contacts)) contacts = [contacts];
		const list = contacts as IDataObject[];
		checkCount('Contacts', list.length, 1, LIMITS.contacts);
		for (const [n, contact] of list.entries()) {
			const name = (contact?.name ?? {}) as IDataObject;
			if (!name.formatted_name) throw new LimitError(`Contact ${n + 1}: name.formatted_name is required`);
		}
		body.type = 'contacts';
		body.contacts = list;
	} else if (type === 'reaction') {
		const messageId = p<string>('reactionMessageId').trim();
		if (!messageId) throw new LimitError('Message ID to React To is required');
		body.type = 'reaction';
		body.reaction = { message_id: messageId, emoji: p<string>('emoji', '') };
	} else if (INTERACTIVE.includes(type)) {
		const interactive: IDataObject = {};
		const headerText = MEDIA_HEADER.includes(type) && HEADER_MEDIA.includes(p<string>('interactiveHeaderType', 'text')) ? '' : p<string>('headerText', '');
		const bodyText = p<string>('bodyText');
		const footerText = p<string>('footerText', '');
		checkLength('Header Text', headerText, LIMITS.headerText);
		checkLength('Body Text', bodyText, LIMITS.interactiveBody, true);
		checkLength('Footer Text', footerText, LIMITS.footerText);
		if (type === 'interactiveButtons') {
			const buttons = (p<IDataObject>('replyButtons', {}).button as Array<{ id: string; title: string }> | undefined) ?? [];
			checkCount('Reply Buttons', buttons.length, 1, LIMITS.replyButtons);
			for (const [n, button] of buttons.entries()) {
				checkLength(`Button ${n + 1} title`, button.title, LIMITS.replyButtonTitle, true);
				checkLength(`Button ${n + 1} ID`, button.id, LIMITS.replyButtonId, true);
			}
			checkUnique('Button titles', buttons.map((b) => b.title));
			checkUnique('Button IDs', buttons.map((b) => b.id));
			interactive.type = 'button';
			interactive.action = { buttons: buttons.map((b) => ({ type: 'reply', reply: { id: b.id, title: b.title } })) };
		} else if (type === 'interactiveList') {
			const buttonText = p<string>('listButtonText');
			checkLength('List Button Text', buttonText, LIMITS.listButtonText, true);
			const sections = (p<IDataObject>('listSections', {}).section as Array<{ title?: string; rows?: { row?: Row[] } }> | undefined) ?? [];
			checkCount('Sections', sections.length, 1, LIMITS.listSections);
			const rows = sections.flatMap((s) => s.rows?.row ?? []);
			checkCount('Rows in all sections', rows.length, 1, LIMITS.listRowsTotal);
			for (const [n, section] of sections.entries()) {
				checkLength(`Section ${n + 1} title`, section.title, LIMITS.sectionTitle, sections.length > 1);
				if (!(section.rows?.row ?? []).length) throw new LimitError(`Section ${n + 1} has no rows`);
			}
			for (const [n, row] of rows.entries()) {
				checkLength(`Row ${n + 1} title`, row.title, LIMITS.rowTitle, true);
				checkLength(`Row ${n + 1} ID`, row.id, LIMITS.rowId, true);
				checkLength(`Row ${n + 1} description`, row.description, LIMITS.rowDescription);
			}
			checkUnique('Row IDs', rows.map((r) => r.id));
			interactive.type = 'list';
			interactive.action = {
				button: buttonText,
				sections: sections.map((s) => ({
					...(s.title ? { title: s.title } : {}),
					rows: (s.rows?.row ?? []).map((r) => ({ id: r.id, title: r.title, ...(r.description ? { description: r.description } : {}) })),
				})),
			};
		} else {
			const displayText = p<string>('ctaDisplayText');
			const url = p<string>('ctaUrl');
			checkLength('Button Text', displayText, LIMITS.ctaDisplayText, true);
			checkHttpUrl('Button URL', url);
			interactive.type = 'cta_url';
			interactive.action = { name: 'cta_url', parameters: { display_text: displayText, url } };
		}
		const headerType = MEDIA_HEADER.includes(type) ? p<string>('interactiveHeaderType', 'text') : 'text';
		if (HEADER_MEDIA.includes(headerType)) {
			const media = readMedia.call(this, i, HEADER_MEDIA_PARAMS, 'Header Media', prepared);
			if (headerType === 'document') {
				const filename = p<string>('interactiveHeaderFilename', '');
				if (filename) media.filename = filename;
			}
			interactive.header = { type: headerType, [headerType]: media };
		} else if (headerText) interactive.header = { type: 'text', text: headerText };
		interactive.body = { text: bodyText };
		if (footerText) interactive.footer = { text: footerText };
		body.type = 'interactive';
		body.interactive = interactive;
	} else {
		throw new LimitError(`Unknown message type "${type}"`);
	}

	if (type !== 'reaction') {
		const replyTo = p<string>('replyToMessageId', '').trim();
		if (replyTo) body.context = { message_id: replyTo };
	}
	return prepared;
}
