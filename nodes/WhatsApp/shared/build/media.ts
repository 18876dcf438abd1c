// Media messages (image, video, audio, document, sticker) and the media object they and headers use. Pure.
import type { IDataObject } from 'n8n-workflow';
import { checkHttpUrl, checkLength, LIMITS, LimitError } from '../limits';
import type { MessageContent } from './envelope';

export const MEDIA_TYPES = ['image', 'video', 'audio', 'document', 'sticker'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

/** Where a file comes from: a public link, a media ID uploaded before, or an n8n binary field (uploaded first). */
export type MediaSource =
	{ from: 'link'; link: string } | { from: 'id'; id: string } | { from: 'binary'; property: string };

/** `{ link }` or `{ id }`; `{}` for a binary, whose media ID the send fills in after uploading it. */
export function mediaObject(source: MediaSource, label: string): IDataObject {
	if (source.from === 'link') {
		checkHttpUrl(`${label} Link`, source.link);
		return { link: source.link };
	}
	if (source.from === 'id') {
		const id = source.id.trim();
		if (!id) throw new LimitError(`${label} ID is required`);
		return { id };
	}
	return {};
}

export function mediaContent(
	type: MediaType,
	media: IDataObject,
	options: { caption?: string; filename?: string } = {},
): MessageContent {
	const object: IDataObject = { ...media };
	if (type === 'image' || type === 'video' || type === 'document') {
		const caption = options.caption ?? '';
		checkLength('Caption', caption, LIMITS.caption);
		if (caption) object.caption = caption;
	}
	if (type === 'document' && options.filename) object.filename = options.filename;
	return { type, [type]: object };
}
