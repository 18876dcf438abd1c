import type { INodeProperties } from 'n8n-workflow';
import { choices } from '../../../shared/fields';

export const ASSET_TYPE_OPTIONS = choices(
	['Caption', 'caption'],
	['Guide', 'guide'],
	['Image', 'image'],
	['Other', 'other'],
	['Prompt', 'prompt'],
	['Template', 'template'],
	['Workflow', 'workflow'],
);

export function assetIdField(): INodeProperties {
	return {
		displayName: 'Asset',
		name: 'assetId',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: 'The library asset to use',
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: 'searchAssets', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 7b1c3f0e-…',
			},
		],
	};
}
