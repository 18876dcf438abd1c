// Fields several operations share (each operation file shows them with forOperation).
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { InstagramCallContext } from '../shared/errors';
import { listOrIdLocator } from '../../shared/fields';
import { splitList } from '../shared/graph';
import { graphRequestAll } from '../shared/transport';

export const MEDIA_FIELDS = [
	'id',
	'caption',
	'media_type',
	'media_product_type',
	'media_url',
	'thumbnail_url',
	'permalink',
	'shortcode',
	'timestamp',
	'username',
	'like_count',
	'comments_count',
	'is_comment_enabled',
	'alt_text',
];

export const DEFAULT_MEDIA_FIELDS = [
	'id',
	'caption',
	'media_type',
	'media_product_type',
	'media_url',
	'permalink',
	'timestamp',
	'like_count',
	'comments_count',
];

export const COMMENT_FIELDS = [
	'id',
	'text',
	'timestamp',
	'username',
	'like_count',
	'hidden',
	'from',
	'parent_id',
	'media',
];

export const DEFAULT_COMMENT_FIELDS = ['id', 'text', 'timestamp', 'username', 'like_count', 'hidden', 'from'];

export function fieldsOption(name: string, all: string[], defaults: string[], description: string): INodeProperties {
	return {
		displayName: 'Fields',
		name,
		type: 'multiOptions',
		options: all.map((field) => ({ name: field, value: field })),
		default: [...defaults],
		description,
	};
}

export function mediaIdLocator(description = 'The post (IG Media)'): INodeProperties {
	return listOrIdLocator(
		{ displayName: 'Media', name: 'mediaId', description, searchListMethod: 'searchMedia' },
		{
			placeholder: '17895695668004550',
			validation: [{ type: 'regex', properties: { regex: '^[0-9_]+$', errorMessage: 'An IG Media ID is a number' } }],
		},
	);
}

export function readPaging(context: IExecuteFunctions, itemIndex: number): { returnAll: boolean; limit: number } {
	const returnAll = context.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll ? 0 : (context.getNodeParameter('limit', itemIndex, 50) as number);
	return { returnAll, limit };
}

export function readFields(context: IExecuteFunctions, name: string, itemIndex: number, defaults: string[]): string {
	const fields = splitList(context.getNodeParameter(name, itemIndex, defaults));
	const list = fields.length ? fields : defaults;
	return (list.includes('id') ? list : ['id', ...list]).join(',');
}

/** A list edge (e.g. `/{media-id}/comments`): every item or up to Limit, with the fields chosen in `fieldsParameter`. */
export async function readEdge(
	this: IExecuteFunctions,
	itemIndex: number,
	edge: {
		path: string;
		fieldsParameter: string;
		defaults: string[];
		qs?: IDataObject;
		pageSize?: number;
		purpose?: InstagramCallContext;
	},
): Promise<IDataObject[]> {
	const fields = readFields(this, edge.fieldsParameter, itemIndex, edge.defaults);
	const paging = { ...readPaging(this, itemIndex), ...(edge.pageSize ? { pageSize: edge.pageSize } : {}) };
	return await graphRequestAll.call(
		this,
		{ path: edge.path, qs: { ...edge.qs, fields }, itemIndex, purpose: edge.purpose },
		paging,
	);
}

export function readMediaId(context: IExecuteFunctions, itemIndex: number): string {
	return String(context.getNodeParameter('mediaId', itemIndex, '', { extractValue: true })).trim();
}
