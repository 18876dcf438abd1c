import type { INodeProperties } from 'n8n-workflow';
import { choices } from '../../../shared/fields';

export const CONSENT_OPTIONS = choices(['Opted In', 'opted_in'], ['Opted Out', 'opted_out'], ['Unknown', 'unknown']);

export function waIdField(): INodeProperties {
	return {
		displayName: 'WhatsApp ID',
		name: 'waId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. +91 98765 43210 or IN.1648738043044942',
		description:
			'The contact’s WhatsApp number in international format (spaces, dashes and a leading + are fine), or the WhatsApp user ID (BSUID) of a customer whose number is hidden',
	};
}
