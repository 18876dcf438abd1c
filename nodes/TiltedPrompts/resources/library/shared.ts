import type { INodeProperties } from 'n8n-workflow';
import { choices, listOrIdLocator } from '../../../shared/fields';

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
	return listOrIdLocator(
		{
			displayName: 'Asset',
			name: 'assetId',
			description: 'The library asset to use',
			searchListMethod: 'searchAssets',
		},
		{ placeholder: 'e.g. 7b1c3f0e-…' },
	);
}
