import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { forOperation } from '../../../shared/operation';
import { readMediaId } from '../../shared/media';
import { graphCall } from '../../shared/transport';

/** Media ID, shown for Get, Download and Delete. */
export const description: INodeProperties[] = forOperation(
	'media',
	['get', 'download', 'delete'],
	[
		{
			displayName: 'Media ID',
			name: 'mediaId',
			type: 'string',
			default: '',
			required: true,
			description: "ID from an upload or from an incoming message's image/video/document/audio object",
		},
	],
);

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	return await graphCall.call(this, { method: 'GET', path: `/${encodeURIComponent(readMediaId.call(this, i))}` }, i);
}
