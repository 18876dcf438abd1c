import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { compact } from '../../shared/fields';
import { serviceRequestList } from '../../shared/transport';
import { forOperation } from '../../../shared/operation';
import { choices, collectionField, returnAllOrLimit, textField } from '../../../shared/fields';
import { ASSET_TYPE_OPTIONS } from './shared';

const PREMIUM_OPTIONS = choices(['Any', 'any'], ['Free Only', 'false'], ['Premium Only', 'true']);

export const description = forOperation('library', 'search', [
	textField('Search Text', 'query', {
		placeholder: 'e.g. diwali sale caption',
		description: 'Words to look for in titles and content (full-text search). Leave empty to list assets.',
	}),
	...returnAllOrLimit(),
	collectionField('Filters', 'filters', 'Add Filter', [
		{
			displayName: 'Premium',
			name: 'premium',
			type: 'options',
			default: 'any',
			options: PREMIUM_OPTIONS,
			description: 'Premium assets are returned only to keys of pro users',
		},
		textField('Tag', 'tag', { description: 'Only assets carrying this tag' }),
		{
			displayName: 'Type',
			name: 'type',
			type: 'options',
			default: 'prompt',
			options: ASSET_TYPE_OPTIONS,
			description: 'Only assets of this type',
		},
	]),
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const query = this.getNodeParameter('query', itemIndex, '') as string;
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll ? undefined : (this.getNodeParameter('limit', itemIndex, 50) as number);
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const qs = compact({
		q: query.trim(),
		type: filters.type as string | undefined,
		tag: filters.tag as string | undefined,
		premium: filters.premium === 'any' ? undefined : (filters.premium as string | undefined),
	});
	return await serviceRequestList.call(this, '/library/assets', qs, { returnAll, limit, itemIndex });
}
