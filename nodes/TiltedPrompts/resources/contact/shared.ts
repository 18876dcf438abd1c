import type { INodeProperties } from 'n8n-workflow';

export const CONSENT_OPTIONS = [
	{ name: 'Opted In', value: 'opted_in' },
	{ name: 'Opted Out', value: 'opted_out' },
	{ name: 'Unknown', value: 'unknown' },
];

export function waIdField(): INodeProperties {
	return {
		displayName: 'WhatsApp ID',
		name: 'waId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. +91 98765 43210',
		description: 'The contact’s WhatsApp number in international format; spaces, dashes and a leading + are fine',
	};
}
