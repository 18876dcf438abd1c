import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { getPhoneNumberId, phoneNumberField } from '../../shared/fields';
import { LimitError } from '../../shared/limits';
import { graphCall, multipartBody } from '../../shared/transport';
import type { ItemOperation } from '../../shared/types';

const show = (operation: string[]) => ({ show: { resource: ['media'], operation } });

const mediaIdField = (operation: string[]): INodeProperties => ({
	displayName: 'Media ID',
	name: 'mediaId',
	type: 'string',
	default: '',
	required: true,
	description: 'ID from an upload or from an incoming message\'s image/video/document/audio object',
	displayOptions: show(operation),
});

/** Cloud API media limits by MIME type (bytes). */
const MAX_BYTES: Array<[RegExp, number, string]> = [
	[/^image\/webp$/, 500 * 1024, 'stickers (image/webp) up to 500 KB'],
	[/^image\//, 5 * 1024 * 1024, 'images up to 5 MB'],
	[/^(video|audio)\//, 16 * 1024 * 1024, 'video and audio up to 16 MB'],
	[/./, 100 * 1024 * 1024, 'documents up to 100 MB'],
];

/** Uploads an input binary to /{phone-number-id}/media; returns Meta's media id. */
export async function uploadBinary(this: IExecuteFunctions, i: number, phoneNumberId: string, propertyName: string): Promise<string> {
	const binary = this.helpers.assertBinaryData(i, propertyName);
	const data = await this.helpers.getBinaryDataBuffer(i, propertyName);
	const mimeType = binary.mimeType || 'application/octet-stream';
	const [, max, text] = MAX_BYTES.find(([re]) => re.test(mimeType)) ?? MAX_BYTES[MAX_BYTES.length - 1];
	if (data.length > max) throw new LimitError(`File "${binary.fileName ?? propertyName}" is ${(data.length / 1048576).toFixed(1)} MB; WhatsApp accepts ${text}`);
	const form = multipartBody(
		{ messaging_product: 'whatsapp', type: mimeType },
		{ field: 'file', filename: binary.fileName ?? `file.${binary.fileExtension ?? 'bin'}`, contentType: mimeType, data },
	);
	const result = (await graphCall.call(this, { method: 'POST', path: `/${phoneNumberId}/media`, body: form.body, headers: { 'Content-Type': form.contentType } }, i)) as { id: string };
	return result.id;
}

const upload: ItemOperation = {
	description: [
		phoneNumberField(show(['upload']).show),
		{
			displayName: 'Input Binary Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			required: true,
			hint: 'The name of the input binary field containing the file to upload',
			displayOptions: show(['upload']),
		},
	],
	async execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
		const id = await uploadBinary.call(this, i, getPhoneNumberId.call(this, i), String(this.getNodeParameter('binaryPropertyName', i, 'data')));
		return { id };
	},
};

const get: ItemOperation = {
	description: [mediaIdField(['get', 'download', 'delete'])],
	async execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
		const mediaId = String(this.getNodeParameter('mediaId', i, '')).trim();
		if (!mediaId) throw new LimitError('Media ID is required');
		return await graphCall.call(this, { method: 'GET', path: `/${encodeURIComponent(mediaId)}` }, i);
	},
};

const download: ItemOperation = {
	description: [
		{
			displayName: 'Put Output File in Field',
			name: 'outputBinaryPropertyName',
			type: 'string',
			default: 'data',
			required: true,
			hint: 'The name of the output binary field to put the file in',
			displayOptions: show(['download']),
		},
	],
	async execute(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
		const mediaId = String(this.getNodeParameter('mediaId', i, '')).trim();
		if (!mediaId) throw new LimitError('Media ID is required');
		const meta = (await graphCall.call(this, { method: 'GET', path: `/${encodeURIComponent(mediaId)}` }, i)) as { url: string; mime_type?: string; sha256?: string; file_size?: number };
		// The media URL needs the same bearer token and expires after 5 minutes: fetch it right away.
		const data = (await graphCall.call(this, { method: 'GET', url: meta.url, binary: true }, i)) as unknown as Buffer;
		const extension = (meta.mime_type ?? '').split('/')[1]?.split(';')[0] ?? 'bin';
		const binary = await this.helpers.prepareBinaryData(Buffer.from(data), `${mediaId}.${extension}`, meta.mime_type);
		const property = String(this.getNodeParameter('outputBinaryPropertyName', i, 'data'));
		return [{ json: { ...meta, id: mediaId }, binary: { [property]: binary }, pairedItem: { item: i } }];
	},
};

const remove: ItemOperation = {
	description: [],
	async execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
		const mediaId = String(this.getNodeParameter('mediaId', i, '')).trim();
		if (!mediaId) throw new LimitError('Media ID is required');
		const result = await graphCall.call(this, { method: 'DELETE', path: `/${encodeURIComponent(mediaId)}` }, i);
		return { ...result, id: mediaId };
	},
};

export const mediaOperations: Record<string, ItemOperation> = { upload, get, download, delete: remove };

export const mediaDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['media'] } },
		default: 'upload',
		options: [
			{ name: 'Delete', value: 'delete', action: 'Delete a media file', description: 'Delete uploaded media from WhatsApp' },
			{ name: 'Download', value: 'download', action: 'Download a media file', description: 'Download media (e.g. from an incoming message) into an n8n binary field' },
			{ name: 'Get', value: 'get', action: 'Get media URL and metadata', description: 'Get the temporary download URL, MIME type, size and SHA-256' },
			{ name: 'Upload', value: 'upload', action: 'Upload a media file', description: 'Upload an n8n binary file; returns a media ID to send' },
		],
	},
	...upload.description,
	...get.description,
	...download.description,
];
