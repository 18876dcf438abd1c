import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { compact, segment, toTags } from '../../shared/fields';
import { serviceRequest } from '../../shared/transport';
import { collectionField, textField } from '../../../shared/fields';
import { forOperation } from '../../../shared/operation';
import { CONSENT_OPTIONS, waIdField } from './shared';

export const contactFields: INodeProperties['options'] = [
	{
		displayName: 'Consent',
		name: 'consent',
		type: 'options',
		options: CONSENT_OPTIONS,
		default: 'opted_in',
		description: 'Marketing consent. Only opted-in contacts are included in campaigns.',
	},
	textField('Consent Note', 'consent_note', {
		placeholder: 'e.g. checkout form',
		description: 'Where the consent was given, kept in the consent history',
	}),
	textField('Name', 'name'),
	textField('Tags', 'tags', {
		placeholder: 'e.g. lead, diwali',
		description: 'Comma-separated tags; campaigns select their audience by tag',
	}),
];

export const description = forOperation('contact', 'upsert', [
	waIdField(),
	collectionField('Fields', 'fields', 'Add Field', contactFields),
]);

export function contactBody(fields: IDataObject): IDataObject {
	return compact({
		name: fields.name as string | undefined,
		tags: fields.tags === undefined ? undefined : toTags(fields.tags),
		consent: fields.consent as string | undefined,
		consent_note: fields.consent_note as string | undefined,
	});
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const waId = this.getNodeParameter('waId', itemIndex) as string;
	const fields = this.getNodeParameter('fields', itemIndex, {}) as IDataObject;
	return await serviceRequest.call(this, {
		method: 'PUT',
		path: `/contacts/${segment(waId)}`,
		body: contactBody(fields),
		itemIndex,
	});
}
