import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { compact } from '../../shared/fields';
import { serviceRequestList } from '../../shared/transport';
import { collectionField, returnAllOrLimit, textField } from '../../../shared/fields';
import { forOperation } from '../../../shared/operation';
import { CONSENT_OPTIONS } from './shared';

export const description = forOperation('contact', 'getMany', [
	...returnAllOrLimit(),
	collectionField('Filters', 'filters', 'Add Filter', [
		{
			displayName: 'Consent',
			name: 'consent',
			type: 'options',
			options: CONSENT_OPTIONS,
			default: 'opted_in',
		},
		textField('Tag', 'tag', { description: 'Only contacts carrying this tag' }),
	]),
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll ? undefined : (this.getNodeParameter('limit', itemIndex, 50) as number);
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const qs = compact({ tag: filters.tag as string | undefined, consent: filters.consent as string | undefined });
	return await serviceRequestList.call(this, '/contacts', qs, { returnAll, limit, itemIndex });
}
