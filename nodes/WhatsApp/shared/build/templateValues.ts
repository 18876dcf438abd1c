// A template's values given as one JSON object (e.g. built by a form from the template's components),
// read into the same shapes as the node's fields. Pure: every mistake names the JSON path at fault.
import { LimitError } from '../limits';
import { mediaObject } from './media';
import type { TemplateBodyParameter, TemplateButtonParameter, TemplateCard, TemplateHeader } from './template';

export interface TemplateValues {
	/** The Header Parameter this JSON stands for: none, text, image, video or document. */
	headerType: string;
	header: TemplateHeader;
	body: TemplateBodyParameter[];
	buttons: TemplateButtonParameter[];
	cards: TemplateCard[];
}

const FIELD = 'Template Values';
const BUTTON_TYPES = ['url', 'quick_reply', 'copy_code', 'flow'];

type Json = Record<string, unknown>;

function fail(path: string, what: string, got: unknown): never {
	const kind = got === null ? 'null' : Array.isArray(got) ? 'a list' : typeof got;
	throw new LimitError(`${FIELD}: ${path} must be ${what}, got ${kind}`);
}

function object(value: unknown, path: string): Json {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'an object', value);
	return value as Json;
}

function list(value: unknown, path: string): unknown[] {
	if (value === undefined || value === null) return [];
	if (!Array.isArray(value)) fail(path, 'a list', value);
	return value;
}

function text(value: unknown, path: string): string {
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	if (typeof value !== 'string') fail(path, 'a text', value);
	return value;
}

/** A body value: a text, or `{ text, name?, type?, currencyCode?, amount? }`. */
function bodyValue(value: unknown, path: string): TemplateBodyParameter {
	if (typeof value === 'string' || typeof value === 'number') return { text: String(value) };
	const v = object(value, path);
	const type = v.type === undefined ? 'text' : text(v.type, `${path}.type`);
	if (!['text', 'currency', 'date_time'].includes(type)) fail(`${path}.type`, 'text, currency or date_time', type);
	return {
		text: text(v.text, `${path}.text`),
		name: v.name === undefined || v.name === '' ? undefined : text(v.name, `${path}.name`),
		type: type as TemplateBodyParameter['type'],
		currencyCode: v.currencyCode === undefined ? undefined : text(v.currencyCode, `${path}.currencyCode`),
		amount: v.amount === undefined ? undefined : Number(v.amount),
	};
}

function button(value: unknown, path: string): TemplateButtonParameter {
	const v = object(value, path);
	const index = Number(v.index);
	if (!Number.isInteger(index) || index < 0 || index > 9) fail(`${path}.index`, 'a whole number from 0 to 9', v.index);
	const subType = v.subType === undefined ? 'url' : text(v.subType, `${path}.subType`);
	if (!BUTTON_TYPES.includes(subType)) fail(`${path}.subType`, BUTTON_TYPES.join(', '), subType);
	return { index, subType, value: text(v.value, `${path}.value`) };
}

/** `{ type: 'text', text }` or `{ type: 'image' | 'video' | 'document', link | id, filename? }`. */
function header(value: unknown): { headerType: string; header: TemplateHeader } {
	if (value === undefined || value === null) return { headerType: 'none', header: { type: 'none' } };
	const v = object(value, 'header');
	const type = text(v.type, 'header.type');
	if (type === 'none') return { headerType: 'none', header: { type: 'none' } };
	if (type === 'text') return { headerType: 'text', header: { type: 'text', text: text(v.text, 'header.text') } };
	if (!['image', 'video', 'document'].includes(type)) fail('header.type', 'none, text, image, video or document', type);
	const media = mediaObject(
		v.id !== undefined
			? { from: 'id', id: text(v.id, 'header.id') }
			: { from: 'link', link: text(v.link, 'header.link') },
		`${FIELD}: header`,
	);
	if (type === 'document' && v.filename !== undefined) media.filename = text(v.filename, 'header.filename');
	return { headerType: type, header: { type: type as 'image' | 'video' | 'document', media } };
}

function card(value: unknown, path: string): TemplateCard {
	const v = object(value, path);
	const h = object(v.header, `${path}.header`);
	const type = h.type === undefined ? 'image' : text(h.type, `${path}.header.type`);
	if (type !== 'image' && type !== 'video') fail(`${path}.header.type`, 'image or video', type);
	return {
		header: {
			type,
			media: mediaObject({ from: 'link', link: text(h.link, `${path}.header.link`) }, `${FIELD}: ${path}.header`),
		},
		body: list(v.body, `${path}.body`).map((b, i) => bodyValue(b, `${path}.body[${i}]`)),
		buttons: list(v.buttons, `${path}.buttons`).map((b, i) => button(b, `${path}.buttons[${i}]`)),
	};
}

function parseJson(text: string): { value?: unknown; error?: string } {
	if (text.trim() === '') return { value: {} };
	try {
		return { value: JSON.parse(text) as unknown };
	} catch (error) {
		return { error: (error as Error).message };
	}
}

/**
 * Reads `{ header?, body?, buttons?, cards? }` (a JSON text or an object). Example:
 * `{ "header": { "type": "image", "link": "https://…" }, "body": [{ "name": "first_name", "text": "Asha" }],
 * "buttons": [{ "index": 0, "subType": "url", "value": "masala-chai" }] }`.
 */
export function readTemplateValues(input: unknown): TemplateValues {
	const parsed = typeof input === 'string' ? parseJson(input) : { value: input };
	if (parsed.error !== undefined) throw new LimitError(`${FIELD} is not valid JSON: ${parsed.error}`);
	const v = object(parsed.value, 'the value');
	const unknown = Object.keys(v).filter((k) => !['header', 'body', 'buttons', 'cards'].includes(k));
	if (unknown.length)
		throw new LimitError(`${FIELD}: unknown key ${unknown.join(', ')} (use header, body, buttons and cards)`);
	return {
		...header(v.header),
		body: list(v.body, 'body').map((b, i) => bodyValue(b, `body[${i}]`)),
		buttons: list(v.buttons, 'buttons').map((b, i) => button(b, `buttons[${i}]`)),
		cards: list(v.cards, 'cards').map((c, i) => card(c, `cards[${i}]`)),
	};
}
