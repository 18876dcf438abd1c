import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { readMediaId } from '../../shared/media';
import { graphCall } from '../../shared/transport';

/** Its only field, Media ID, is shown by get.ts. */
export const description: INodeProperties[] = [];

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const mediaId = readMediaId.call(this, i);
	const result = await graphCall.call(this, { method: 'DELETE', path: `/${encodeURIComponent(mediaId)}` }, i);
	return { ...result, id: mediaId };
}
