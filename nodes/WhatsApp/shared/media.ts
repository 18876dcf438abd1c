// Uploading an input binary to WhatsApp: used by Media → Upload and by sends of n8n binary files.
import type { IExecuteFunctions } from 'n8n-workflow';
import { LimitError } from './limits';
import { graphCall, multipartBody } from './transport';

/** Cloud API media limits by MIME type (bytes). */
const MAX_BYTES: Array<[RegExp, number, string]> = [
	[/^image\/webp$/, 500 * 1024, 'stickers (image/webp) up to 500 KB'],
	[/^image\//, 5 * 1024 * 1024, 'images up to 5 MB'],
	[/^(video|audio)\//, 16 * 1024 * 1024, 'video and audio up to 16 MB'],
	[/./, 100 * 1024 * 1024, 'documents up to 100 MB'],
];

/** Uploads an input binary to /{phone-number-id}/media; returns Meta's media id. */
export async function uploadBinary(
	this: IExecuteFunctions,
	i: number,
	phoneNumberId: string,
	propertyName: string,
): Promise<string> {
	const binary = this.helpers.assertBinaryData(i, propertyName);
	const data = await this.helpers.getBinaryDataBuffer(i, propertyName);
	const mimeType = binary.mimeType || 'application/octet-stream';
	const [, max, text] = MAX_BYTES.find(([re]) => re.test(mimeType)) ?? MAX_BYTES[MAX_BYTES.length - 1];
	if (data.length > max)
		throw new LimitError(
			`File "${binary.fileName ?? propertyName}" is ${(data.length / 1048576).toFixed(1)} MB; WhatsApp accepts ${text}`,
		);
	const form = multipartBody(
		{ messaging_product: 'whatsapp', type: mimeType },
		{
			field: 'file',
			filename: binary.fileName ?? `file.${binary.fileExtension ?? 'bin'}`,
			contentType: mimeType,
			data,
		},
	);
	const result = (await graphCall.call(
		this,
		{ method: 'POST', path: `/${phoneNumberId}/media`, body: form.body, headers: { 'Content-Type': form.contentType } },
		i,
	)) as { id: string };
	return result.id;
}

/** The Media ID parameter of an item, required. */
export function readMediaId(this: IExecuteFunctions, i: number): string {
	const mediaId = String(this.getNodeParameter('mediaId', i, '')).trim();
	if (!mediaId) throw new LimitError('Media ID is required');
	return mediaId;
}
