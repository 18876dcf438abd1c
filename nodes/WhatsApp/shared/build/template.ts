// Template messages: the components from the parameters, and the check against the template's definition. Pure.
import type { IDataObject } from 'n8n-workflow';
import { checkLength, LIMITS, LimitError, templatePlaceholders } from '../limits';
import type { TemplateDefinition } from '../types';
import type { MessageContent } from './envelope';

export type TemplateHeader =
	{ type: 'none' } | { type: 'text'; text: string } | { type: 'image' | 'video' | 'document'; media: IDataObject };

export interface TemplateBodyParameter {
	/** The value; for currency and date_time the text shown where Meta cannot localise (`fallback_value`). */
	text: string;
	/** For templates with named parameters ({{first_name}}). */
	name?: string;
	/** text (default), currency (`currencyCode` + `amount`, localised by WhatsApp) or date_time. */
	type?: 'text' | 'currency' | 'date_time';
	/** ISO 4217 code, e.g. INR. */
	currencyCode?: string;
	/** The amount in the currency's units, e.g. 199.5 (sent as amount_1000 = 199500). */
	amount?: number;
}

/** One body parameter as Meta takes it: text, currency or date_time. */
function bodyParameter(b: TemplateBodyParameter, n: number): IDataObject {
	const named = b.name ? { parameter_name: b.name } : {};
	if (b.type === 'currency') {
		const code = String(b.currencyCode ?? '')
			.trim()
			.toUpperCase();
		if (!/^[A-Z]{3}$/.test(code))
			throw new LimitError(
				`Body parameter ${n + 1} is a currency: give its ISO 4217 code (e.g. INR), got "${b.currencyCode ?? ''}"`,
			);
		const amount1000 = Math.round(Number(b.amount) * 1000);
		if (!Number.isSafeInteger(amount1000) || Math.abs(amount1000) > 2 ** 31 - 1)
			throw new LimitError(
				`Body parameter ${n + 1} is a currency: give its amount as a number (e.g. 199.50), got "${b.amount ?? ''}"`,
			);
		return { type: 'currency', currency: { fallback_value: b.text, code, amount_1000: amount1000 }, ...named };
	}
	if (b.type === 'date_time') return { type: 'date_time', date_time: { fallback_value: b.text }, ...named };
	return { type: 'text', text: b.text, ...named };
}

export interface TemplateButtonParameter {
	index: number;
	subType: string;
	value: string;
}

/** One card of a media-card carousel template: its header media, body parameters and buttons. */
export interface TemplateCard {
	header: { type: 'image' | 'video'; media: IDataObject };
	body: TemplateBodyParameter[];
	buttons: TemplateButtonParameter[];
}

export interface TemplateInput {
	name: string;
	language: string;
	header: TemplateHeader;
	body: TemplateBodyParameter[];
	buttons: TemplateButtonParameter[];
	/** Media-card carousel: 2 to 10 cards. */
	cards?: TemplateCard[];
}

export const MAX_CAROUSEL_CARDS = 10;

function buttonParameter(button: TemplateButtonParameter): IDataObject {
	if (button.subType === 'quick_reply') return { type: 'payload', payload: button.value };
	if (button.subType === 'copy_code') return { type: 'coupon_code', coupon_code: button.value };
	// A Flow button: the value is the flow token the Flow's endpoint receives.
	if (button.subType === 'flow') return { type: 'action', action: { flow_token: button.value } };
	return { type: 'text', text: button.value };
}

function headerComponent(header: TemplateHeader): IDataObject | undefined {
	if (header.type === 'none') return undefined;
	if (header.type === 'text') {
		checkLength('Header Text', header.text, LIMITS.templateHeaderText, true);
		return { type: 'header', parameters: [{ type: 'text', text: header.text }] };
	}
	return { type: 'header', parameters: [{ type: header.type, [header.type]: header.media }] };
}

function bodyComponent(body: TemplateBodyParameter[], label = 'Body parameter'): IDataObject | undefined {
	if (!body.length) return undefined;
	for (const [n, param] of body.entries()) {
		if (param.text.trim() === '') throw new LimitError(`${label} ${n + 1} is empty: WhatsApp rejects empty parameters`);
	}
	return { type: 'body', parameters: body.map(bodyParameter) };
}

function buttonComponents(buttons: TemplateButtonParameter[], label = 'Button'): IDataObject[] {
	const seen = new Set<number>();
	return buttons.map((button) => {
		if (seen.has(button.index)) throw new LimitError(`${label} index ${button.index} is given twice`);
		seen.add(button.index);
		if (!button.value) throw new LimitError(`${label} ${button.index} value is empty`);
		return {
			type: 'button',
			sub_type: button.subType,
			index: String(button.index),
			parameters: [buttonParameter(button)],
		};
	});
}

/** `{ type: 'carousel', cards: [{ card_index, components: [header, body?, button…] }] }`. */
function carouselComponent(cards: TemplateCard[]): IDataObject {
	if (cards.length < 2 || cards.length > MAX_CAROUSEL_CARDS)
		throw new LimitError(`A carousel has 2 to ${MAX_CAROUSEL_CARDS} cards; you gave ${cards.length}`);
	return {
		type: 'carousel',
		cards: cards.map((card, i) => {
			const body = bodyComponent(card.body, `Card ${i + 1} body parameter`);
			return {
				card_index: i,
				components: [
					headerComponent(card.header)!,
					...(body ? [body] : []),
					...buttonComponents(card.buttons, `Card ${i + 1} button`),
				],
			};
		}),
	};
}

export function templateContent(input: TemplateInput): MessageContent {
	const components: IDataObject[] = [];
	const header = headerComponent(input.header);
	if (header) components.push(header);
	const body = bodyComponent(input.body);
	if (body) components.push(body);
	components.push(...buttonComponents(input.buttons));
	if (input.cards?.length) components.push(carouselComponent(input.cards));
	const template: IDataObject = { name: input.name, language: { code: input.language } };
	if (components.length) template.components = components;
	return { type: 'template', template };
}

type DefinedComponents = TemplateDefinition['components'];

function checkHeader(label: string, def: { components?: DefinedComponents }, headerType: string): void {
	const header = (def.components ?? []).find((c) => c.type === 'HEADER');
	const format = header ? String(header.format ?? 'TEXT').toLowerCase() : 'none';
	if (format === 'text') {
		const needs = templatePlaceholders(header?.text).length;
		if (needs > 0 && headerType !== 'text')
			throw new LimitError(`${label} has a text header with a variable: set Header Parameter to Text`);
		if (needs === 0 && headerType !== 'none')
			throw new LimitError(`${label} has a fixed text header: set Header Parameter to None`);
	} else if (['image', 'video', 'document'].includes(format)) {
		if (headerType !== format)
			throw new LimitError(
				`${label} has a ${format.toUpperCase()} header: set Header Parameter to ${format[0].toUpperCase()}${format.slice(1)} and give a link or media ID`,
				`Header Parameter is "${headerType}".`,
			);
	} else if (format === 'none' && headerType !== 'none') {
		throw new LimitError(`${label} has no header: set Header Parameter to None`);
	}
}

function checkBody(
	label: string,
	def: { components?: DefinedComponents; parameter_format?: string },
	body: TemplateBodyParameter[],
): void {
	const component = (def.components ?? []).find((c) => c.type === 'BODY');
	const placeholders = templatePlaceholders(component?.text);
	if (placeholders.length !== body.length) {
		throw new LimitError(
			`${label} expects ${placeholders.length} body parameter${placeholders.length === 1 ? '' : 's'} (${placeholders.map((p) => `{{${p}}}`).join(', ') || 'none'}); you gave ${body.length}`,
			`Template body: "${String(component?.text ?? '').slice(0, 200)}"`,
		);
	}
	if (def.parameter_format === 'NAMED') {
		const names = body.map((b) => b.name ?? '');
		const missing = placeholders.filter((p) => !names.includes(p));
		if (missing.length)
			throw new LimitError(
				`${label} uses named parameters: give Parameter Name for ${missing.map((m) => `{{${m}}}`).join(', ')}`,
			);
	}
}

function checkButtons(
	label: string,
	def: { components?: DefinedComponents },
	given: Array<{ index: number; subType: string }>,
): void {
	const buttons = ((def.components ?? []).find((c) => c.type === 'BUTTONS')?.buttons ?? []) as Array<{
		type: string;
		url?: string;
		text?: string;
	}>;
	for (const button of given) {
		const defined = buttons[button.index];
		if (!defined)
			throw new LimitError(
				`${label} has no button at index ${button.index} (it has ${buttons.length} button${buttons.length === 1 ? '' : 's'}; the first is index 0)`,
			);
		if (defined.type.toLowerCase() !== button.subType)
			throw new LimitError(
				`${label}: button ${button.index} ("${defined.text ?? defined.type}") is ${defined.type}, not ${button.subType}`,
			);
	}
	for (const [index, button] of buttons.entries()) {
		if (button.type === 'URL' && templatePlaceholders(button.url).length > 0 && !given.some((b) => b.index === index)) {
			throw new LimitError(
				`${label}: URL button ${index} ("${button.text ?? ''}") needs its URL suffix: add a Button Parameter with index ${index}, type URL`,
				`Button URL: ${button.url}`,
			);
		}
	}
}

/** Checks the parameters against the template's definition, in the words a user understands. */
export function checkAgainstDefinition(
	def: TemplateDefinition,
	sent: {
		headerType: string;
		body: TemplateBodyParameter[];
		buttons: Array<{ index: number; subType: string }>;
		cards?: TemplateCard[];
	},
): void {
	const label = `Template "${def.name}" (${def.language})`;
	if (def.status && def.status !== 'APPROVED')
		throw new LimitError(`${label} is ${def.status}, not APPROVED: only approved templates can be sent`);
	checkHeader(label, def, sent.headerType);
	checkBody(label, def, sent.body);
	checkButtons(label, def, sent.buttons);
	checkCards(label, def, sent.cards ?? []);
}

/** A carousel template's cards: as many as defined, each card's header, body and buttons as its definition says. */
function checkCards(label: string, def: TemplateDefinition, cards: TemplateCard[]): void {
	const carousel = (def.components ?? []).find((c) => c.type === 'CAROUSEL') as
		{ cards?: Array<{ components?: DefinedComponents }> } | undefined;
	const defined = carousel?.cards ?? [];
	if (defined.length !== cards.length) {
		throw new LimitError(
			defined.length
				? `${label} is a carousel of ${defined.length} cards; you gave ${cards.length}`
				: `${label} is not a carousel template: remove the Carousel Cards`,
		);
	}
	cards.forEach((card, i) => {
		const cardLabel = `${label}, card ${i + 1}`;
		checkHeader(cardLabel, defined[i], card.header.type);
		checkBody(cardLabel, { ...defined[i], parameter_format: def.parameter_format }, card.body);
		checkButtons(cardLabel, defined[i], card.buttons);
	});
}
