import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { forOperation, OutputItem } from '../../../shared/operation';
import { readMediaId } from '../../shared/media';
import { graphCall } from '../../shared/transport';

export const description: INodeProperties[] = forOperation('media', 'download', [
	{
		displayName: 'Put Output File in Field',
		name: 'outputBinaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the output binary field to put the file in',
	},
]);

export async function execute(this: IExecuteFunctions, i: number): Promise<OutputItem> {
	const mediaId = readMediaId.call(this, i);
	const meta = (await graphCall.call(this, { method: 'GET', path: `/${encodeURIComponent(mediaId)}` }, i)) as {
		url: string;
		mime_type?: string;
		sha256?: string;
		file_size?: number;
	};
	// The media URL needs the same bearer token and expires after 5 minutes: fetch it right away.
	const data = (await graphCall.call(this, { method: 'GET', url: meta.url, binary: true }, i)) as unknown as Buffer;
	const extension = (meta.mime_type ?? '').split('/')[1]?.split(';')[0] ?? 'bin';
	const binary = await this.helpers.prepareBinaryData(Buffer.from(data), `${mediaId}.${extension}`, meta.mime_type);
	const property = String(this.getNodeParameter('outputBinaryPropertyName', i, 'data'));
	return new OutputItem({ ...meta, id: mediaId }, { [property]: binary });
}
