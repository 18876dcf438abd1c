import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { compact } from '../../shared/fields';
import { serviceRequest } from '../../shared/transport';
import { collectionField } from '../../../shared/fields';
import { forOperation } from '../../../shared/operation';
import { contactBody, contactFields } from './upsert';

/** Contacts per request; a large import is sent in several idempotent requests. */
export const IMPORT_CHUNK = 500;

export const kind = 'batch';

export const description = forOperation('contact', 'import', [
	{
		displayName: 'WhatsApp ID',
		name: 'importWaId',
		type: 'string',
		default: '={{ $json.wa_id ?? $json.phone }}',
		required: true,
		description: 'The WhatsApp number of each input item’s contact (an expression over the item)',
	},
	collectionField('Fields', 'fields', 'Add Field', contactFields, {
		description: 'Values for each contact; use expressions such as {{ $JSON.name }}',
	}),
]);

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const contacts = items.map((_, itemIndex) =>
		compact({
			wa_id: String(this.getNodeParameter('importWaId', itemIndex) ?? ''),
			...contactBody(this.getNodeParameter('fields', itemIndex, {}) as IDataObject),
		}),
	);
	const output: INodeExecutionData[] = [];
	for (let start = 0; start < contacts.length; start += IMPORT_CHUNK) {
		const chunk = contacts.slice(start, start + IMPORT_CHUNK);
		const response = await serviceRequest.call(this, { method: 'POST', path: '/contacts', body: { contacts: chunk } });
		const paired = chunk.map((_, offset) => ({ item: start + offset }));
		output.push({ json: response, pairedItem: paired });
	}
	return output;
}
