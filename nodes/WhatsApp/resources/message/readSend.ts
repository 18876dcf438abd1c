// Message → Send: reads one item's parameters and hands them to the pure builders (shared/build).
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import {
	contactsContent,
	interactiveContent,
	locationContent,
	mediaContent,
	mediaObject,
	messageBody,
	reactionContent,
	textContent,
	type InteractiveAction,
	type InteractiveHeader,
	type ListSection,
	type MediaSource,
	type MediaType,
	type MessageContent,
} from '../../shared/build';
import { getPhoneNumberId } from '../../shared/fields';
import { LimitError, normalizeRecipient } from '../../shared/limits';
import type { BinaryUpload, BuildContext, PreparedSend } from '../../shared/types';

export const MEDIA = ['image', 'video', 'audio', 'document', 'sticker'];
export const INTERACTIVE = ['interactiveButtons', 'interactiveList', 'interactiveCtaUrl'];
/** Interactive types whose header may be media (Meta: list messages take text headers only). */
export const MEDIA_HEADER = ['interactiveButtons', 'interactiveCtaUrl'];
export const HEADER_MEDIA = ['image', 'video', 'document'];

/** Parameter names of one "media by link, media ID or n8n binary" choice. */
export interface MediaParams {
	source: string;
	link: string;
	id: string;
	binary: string;
}

export const MESSAGE_MEDIA: MediaParams = {
	source: 'mediaSource',
	link: 'mediaLink',
	id: 'mediaId',
	binary: 'binaryPropertyName',
};
export const HEADER_MEDIA_PARAMS: MediaParams = {
	source: 'interactiveHeaderMediaSource',
	link: 'interactiveHeaderMediaLink',
	id: 'interactiveHeaderMediaId',
	binary: 'interactiveHeaderBinaryField',
};

type Param = <T>(name: string, fallback?: T) => T;

interface ReadContent {
	content: MessageContent;
	upload?: BinaryUpload;
}

function readSource(p: Param, names: MediaParams): MediaSource {
	const from = p<string>(names.source, 'link');
	if (from === 'link') return { from, link: p<string>(names.link) };
	if (from === 'id') return { from, id: p<string>(names.id) };
	return { from: 'binary', property: p<string>(names.binary, 'data') };
}

function readMedia(p: Param, type: string): ReadContent {
	const source = readSource(p, MESSAGE_MEDIA);
	const media = mediaObject(source, 'Media');
	const caption = ['image', 'video', 'document'].includes(type) ? p<string>('caption', '') : undefined;
	const filename = type === 'document' ? p<string>('filename', '') : undefined;
	const content = mediaContent(type as MediaType, media, { caption, filename });
	return { content, upload: source.from === 'binary' ? { propertyName: source.property, path: [type] } : undefined };
}

function readHeader(p: Param, type: string): { header?: InteractiveHeader; upload?: BinaryUpload } {
	const headerType = MEDIA_HEADER.includes(type) ? p<string>('interactiveHeaderType', 'text') : 'text';
	if (!HEADER_MEDIA.includes(headerType)) {
		const text = p<string>('headerText', '');
		return { header: text ? { type: 'text', text } : undefined };
	}
	const source = readSource(p, HEADER_MEDIA_PARAMS);
	const media = mediaObject(source, 'Header Media');
	if (headerType === 'document') {
		const filename = p<string>('interactiveHeaderFilename', '');
		if (filename) media.filename = filename;
	}
	const upload =
		source.from === 'binary'
			? { propertyName: source.property, path: ['interactive', 'header', headerType] }
			: undefined;
	return { header: { type: headerType as 'image' | 'video' | 'document', media }, upload };
}

type Row = { id: string; title: string; description?: string };

function readAction(p: Param, type: string): InteractiveAction {
	if (type === 'interactiveButtons') {
		return {
			kind: 'buttons',
			buttons: (p<IDataObject>('replyButtons', {}).button as Array<{ id: string; title: string }> | undefined) ?? [],
		};
	}
	if (type === 'interactiveList') {
		const sections =
			(p<IDataObject>('listSections', {}).section as Array<{ title?: string; rows?: { row?: Row[] } }> | undefined) ??
			[];
		const list: ListSection[] = sections.map((s) => ({ title: s.title, rows: s.rows?.row ?? [] }));
		return { kind: 'list', buttonText: p<string>('listButtonText'), sections: list };
	}
	return { kind: 'ctaUrl', displayText: p<string>('ctaDisplayText'), url: p<string>('ctaUrl') };
}

function readInteractive(p: Param, type: string): ReadContent {
	const { header, upload } = readHeader(p, type);
	const content = interactiveContent({
		header,
		body: p<string>('bodyText'),
		footer: p<string>('footerText', ''),
		action: readAction(p, type),
	});
	return { content, upload };
}

function readContent(p: Param, type: string): ReadContent {
	if (type === 'text') return { content: textContent(p<string>('textBody'), p<boolean>('previewUrl', false)) };
	if (MEDIA.includes(type)) return readMedia(p, type);
	if (type === 'location') {
		const name = p<string>('locationName', '');
		const address = p<string>('locationAddress', '');
		return {
			content: locationContent({ latitude: p<number>('latitude'), longitude: p<number>('longitude'), name, address }),
		};
	}
	if (type === 'contacts') return { content: contactsContent(p<unknown>('contactsJson')) };
	if (type === 'reaction') return { content: reactionContent(p<string>('reactionMessageId'), p<string>('emoji', '')) };
	if (INTERACTIVE.includes(type)) return readInteractive(p, type);
	throw new LimitError(`Unknown message type "${type}"`);
}

/** One item's message: read its parameters, build the Cloud API body, check Meta's limits. */
export async function readSend(this: IExecuteFunctions, i: number, context: BuildContext): Promise<PreparedSend> {
	const p: Param = <T>(name: string, fallback?: T) => context.parameter<T>(name, i, fallback);
	const phoneNumberId = getPhoneNumberId.call(this, i, context.parameter);
	if (!phoneNumberId) throw new LimitError('Sender Phone Number is required: pick one from the list or enter its ID');
	const to = normalizeRecipient(p<string>('to'));
	const type = p<string>('messageType');
	const { content, upload } = readContent(p, type);
	const replyTo = type === 'reaction' ? undefined : p<string>('replyToMessageId', '');
	const body = messageBody(to, content, replyTo);
	return { phoneNumberId, to, body, ...(upload ? { binaryUpload: upload } : {}) };
}
