import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { ParameterReader } from '../../shared/parameters';

/** The sender: a WhatsApp phone number ID, picked from the account's numbers or typed. */
export function phoneNumberField(show: Record<string, string[]>, displayName = 'Sender Phone Number'): INodeProperties {
	return {
		displayName,
		name: 'phoneNumberId',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: 'The WhatsApp business phone number to use',
		displayOptions: { show },
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: 'searchPhoneNumbers', searchable: true },
			},
			{
				displayName: 'ID',
				name: 'id',
				type: 'string',
				placeholder: '106540352242922',
				validation: [
					{
						type: 'regex',
						properties: {
							regex: '^[0-9]+$',
							errorMessage: 'A phone number ID is digits only (not the phone number itself)',
						},
					},
				],
			},
		],
	};
}

export function recipientField(show: Record<string, string[]>): INodeProperties {
	return {
		displayName: 'Recipient',
		name: 'to',
		type: 'string',
		default: '',
		required: true,
		placeholder: '+91 98000 00001 or IN.1648738043044942',
		description:
			'Phone number with country code (spaces, dashes and a leading + are removed), or the WhatsApp user ID (BSUID) from a webhook for a customer whose number is hidden',
		displayOptions: { show },
	};
}

export function getPhoneNumberId(this: IExecuteFunctions, itemIndex: number, read?: ParameterReader): string {
	const options = { extractValue: true };
	return String(
		read
			? read('phoneNumberId', itemIndex, '', options)
			: this.getNodeParameter('phoneNumberId', itemIndex, '', options),
	).trim();
}

/** The template picker: from the list, by name or by ID. */
export function templateLocator(displayOptions?: INodeProperties['displayOptions']): INodeProperties {
	return {
		displayName: 'Template',
		name: 'template',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: 'An approved message template of your WhatsApp Business Account',
		...(displayOptions ? { displayOptions } : {}),
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: 'searchTemplates', searchable: true },
			},
			{ displayName: 'By Name', name: 'name', type: 'string', placeholder: 'new_post_image' },
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: '900000000000002',
				validation: [
					{ type: 'regex', properties: { regex: '^[0-9]+$', errorMessage: 'A template ID is digits only' } },
				],
			},
		],
	};
}

/** Meta's template categories. */
export const TEMPLATE_CATEGORIES = [
	{ name: 'Authentication', value: 'AUTHENTICATION' },
	{ name: 'Marketing', value: 'MARKETING' },
	{ name: 'Utility', value: 'UTILITY' },
];
