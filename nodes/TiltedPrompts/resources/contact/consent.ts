// What Opt In and Opt Out share: their fields and the consent change they post.
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { collectionField, textField } from '../../../shared/fields';
import { compact, segment } from '../../shared/fields';
import { serviceRequest } from '../../shared/transport';
import { waIdField } from './shared';

export const consentFields: INodeProperties[] = [
	waIdField(),
	collectionField('Options', 'consentOptions', 'Add Option', [
		textField('Note', 'note', {
			placeholder: 'e.g. checkout form',
			description: 'Where the change came from, kept in the consent history',
		}),
	]),
];

/** Records the contact's consent change (with the optional note) in the consent history. */
export async function recordConsent(
	this: IExecuteFunctions,
	itemIndex: number,
	consent: 'opted_in' | 'opted_out',
): Promise<IDataObject> {
	const waId = this.getNodeParameter('waId', itemIndex) as string;
	const options = this.getNodeParameter('consentOptions', itemIndex, {}) as IDataObject;
	return await serviceRequest.call(this, {
		method: 'POST',
		path: `/contacts/${segment(waId)}/consent`,
		body: compact({ consent, note: options.note as string | undefined }),
		itemIndex,
	});
}
