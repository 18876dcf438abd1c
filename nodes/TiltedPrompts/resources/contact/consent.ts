import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { compact, segment } from '../../shared/fields';
import { serviceRequest } from '../../shared/transport';
import type { ItemOperation } from '../../shared/types';
import { waIdField } from './shared';

function consentOperation(operation: 'optIn' | 'optOut', consent: 'opted_in' | 'opted_out'): ItemOperation {
	const show = { resource: ['contact'], operation: [operation] };
	const description: INodeProperties[] = [
		waIdField([operation]),
		{
			displayName: 'Options',
			name: 'consentOptions',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			displayOptions: { show },
			options: [
				{
					displayName: 'Note',
					name: 'note',
					type: 'string',
					default: '',
					placeholder: 'e.g. checkout form',
					description: 'Where the change came from, kept in the consent history',
				},
			],
		},
	];
	async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
		const waId = this.getNodeParameter('waId', itemIndex) as string;
		const options = this.getNodeParameter('consentOptions', itemIndex, {}) as IDataObject;
		return await serviceRequest.call(this, {
			method: 'POST',
			path: `/contacts/${segment(waId)}/consent`,
			body: compact({ consent, note: options.note as string | undefined }),
			itemIndex,
		});
	}
	return { kind: 'item', description, execute };
}

export const optIn = consentOperation('optIn', 'opted_in');
export const optOut = consentOperation('optOut', 'opted_out');
