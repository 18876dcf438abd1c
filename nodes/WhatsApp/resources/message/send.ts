import type { INodeProperties } from 'n8n-workflow';
import { bulkSend } from '../../shared/bulkSend';
import { phoneNumberField, recipientField } from '../../shared/fields';
import {
	HEADER_MEDIA,
	HEADER_MEDIA_PARAMS,
	INTERACTIVE,
	MEDIA,
	MEDIA_HEADER,
	MESSAGE_MEDIA,
	readSend,
	type MediaParams,
} from './readSend';

const show = { resource: ['message'], operation: ['send'] };
const showFor = (messageType: string[]) => ({ show: { ...show, messageType } });

function mediaFields(
	names: MediaParams,
	when: Record<string, string[]>,
	text: { label: string; binaryLabel?: string; placeholder: string; hint: string },
): INodeProperties[] {
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
		{
			displayName: `${text.label} Link`,
			name: names.link,
			type: 'string',
			default: '',
			required: true,
			placeholder: text.placeholder,
			displayOptions: { show: { ...when, [names.source]: ['link'] } },
		},
		{
			displayName: `${text.label} ID`,
			name: names.id,
			type: 'string',
			default: '',
			required: true,
			displayOptions: { show: { ...when, [names.source]: ['id'] } },
		},
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

export const description: INodeProperties[] = [
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
			{
				name: 'Interactive: CTA URL Button',
				value: 'interactiveCtaUrl',
				description: 'Body text with one button that opens a URL',
			},
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
	...mediaFields(
		MESSAGE_MEDIA,
		{ ...show, messageType: MEDIA },
		{
			label: 'Media',
			placeholder: 'https://cdn.example.com/reel.mp4',
			hint: 'The name of the input binary field containing the file to send',
		},
	),
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
	{
		displayName: 'Latitude',
		name: 'latitude',
		type: 'number',
		typeOptions: { numberPrecision: 6, minValue: -90, maxValue: 90 },
		default: 0,
		required: true,
		displayOptions: showFor(['location']),
	},
	{
		displayName: 'Longitude',
		name: 'longitude',
		type: 'number',
		typeOptions: { numberPrecision: 6, minValue: -180, maxValue: 180 },
		default: 0,
		required: true,
		displayOptions: showFor(['location']),
	},
	{
		displayName: 'Location Name',
		name: 'locationName',
		type: 'string',
		default: '',
		displayOptions: showFor(['location']),
	},
	{
		displayName: 'Location Address',
		name: 'locationAddress',
		type: 'string',
		default: '',
		displayOptions: showFor(['location']),
	},
	// contacts
	{
		displayName: 'Contacts (JSON)',
		name: 'contactsJson',
		type: 'json',
		default:
			'[\n  {\n    "name": { "formatted_name": "Asha Rao", "first_name": "Asha" },\n    "phones": [{ "phone": "+919800000001", "type": "CELL" }]\n  }\n]',
		required: true,
		description:
			'Array of WhatsApp contact objects (name.formatted_name is required; phones, emails, addresses, org, URLs, birthday are optional)',
		displayOptions: showFor(['contacts']),
	},
	// reaction
	{
		displayName: 'Message ID to React To',
		name: 'reactionMessageId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'wamid.HBgL…',
		displayOptions: showFor(['reaction']),
	},
	{
		displayName: 'Emoji',
		name: 'emoji',
		type: 'string',
		default: '👍',
		description: 'One emoji; empty removes a previous reaction',
		displayOptions: showFor(['reaction']),
	},
	// interactive (common)
	{
		displayName: 'Header',
		name: 'interactiveHeaderType',
		type: 'options',
		default: 'text',
		description:
			'What sits above the body: text, or a picture, video or document (reply buttons and CTA URL only; list messages take a text header)',
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
	...mediaFields(
		HEADER_MEDIA_PARAMS,
		{ ...show, messageType: MEDIA_HEADER, interactiveHeaderType: HEADER_MEDIA },
		{
			label: 'Header Media',
			binaryLabel: 'Header Input Binary Field',
			placeholder: 'https://cdn.example.com/diwali.jpg',
			hint: 'The name of the input binary field containing the header file',
		},
	),
	{
		displayName: 'Header Document File Name',
		name: 'interactiveHeaderFilename',
		type: 'string',
		default: '',
		description: 'File name the recipient sees',
		displayOptions: { show: { ...show, messageType: MEDIA_HEADER, interactiveHeaderType: ['document'] } },
	},
	{
		displayName: 'Body Text',
		name: 'bodyText',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		required: true,
		description: 'Up to 1024 characters',
		displayOptions: showFor(INTERACTIVE),
	},
	{
		displayName: 'Footer Text',
		name: 'footerText',
		type: 'string',
		default: '',
		description: 'Optional, up to 60 characters',
		displayOptions: showFor(INTERACTIVE),
	},
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
					{
						displayName: 'ID',
						name: 'id',
						type: 'string',
						default: '',
						required: true,
						description: 'Returned in the reply webhook, up to 256 characters',
					},
					{ displayName: 'Title', name: 'title', type: 'string', default: '', required: true },
				],
			},
		],
	},
	{
		displayName: 'List Button Text',
		name: 'listButtonText',
		type: 'string',
		default: 'Menu',
		required: true,
		description: 'Label of the button that opens the list, up to 20 characters',
		displayOptions: showFor(['interactiveList']),
	},
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
					{
						displayName: 'Title',
						name: 'title',
						type: 'string',
						default: '',
						description: 'Up to 24 characters; required when there is more than one section',
					},
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
									{
										displayName: 'ID',
										name: 'id',
										type: 'string',
										default: '',
										required: true,
										description: 'Returned in the reply webhook, up to 200 characters',
									},
									{
										displayName: 'Title',
										name: 'title',
										type: 'string',
										default: '',
										required: true,
										description: 'Up to 24 characters',
									},
									{
										displayName: 'Description',
										name: 'description',
										type: 'string',
										default: '',
										description: 'Optional, up to 72 characters',
									},
								],
							},
						],
					},
				],
			},
		],
	},
	{
		displayName: 'Button Text',
		name: 'ctaDisplayText',
		type: 'string',
		default: '',
		required: true,
		description: 'Up to 20 characters',
		displayOptions: showFor(['interactiveCtaUrl']),
	},
	{
		displayName: 'Button URL',
		name: 'ctaUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://shop.example.com/diwali',
		displayOptions: showFor(['interactiveCtaUrl']),
	},
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

/** A batch operation: every item of the run goes out through one throttle. */
export const kind = 'batch';

export const execute = bulkSend(readSend);
