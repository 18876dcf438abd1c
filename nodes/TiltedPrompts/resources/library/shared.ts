import type { INodeProperties } from 'n8n-workflow';

export const ASSET_TYPE_OPTIONS = [
	{ name: 'Caption', value: 'caption' },
	{ name: 'Guide', value: 'guide' },
	{ name: 'Image', value: 'image' },
	{ name: 'Other', value: 'other' },
	{ name: 'Prompt', value: 'prompt' },
	{ name: 'Template', value: 'template' },
	{ name: 'Workflow', value: 'workflow' },
];

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
