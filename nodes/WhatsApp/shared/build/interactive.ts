// Interactive messages: reply buttons, list, CTA URL button. Pure.
import type { IDataObject } from 'n8n-workflow';
import { checkCount, checkHttpUrl, checkLength, checkUnique, LIMITS, LimitError } from '../limits';
import type { MessageContent } from './envelope';

export interface ReplyButton {
	id: string;
	title: string;
}

export interface ListRow {
	id: string;
	title: string;
	description?: string;
}

export interface ListSection {
	title?: string;
	rows: ListRow[];
}

export type InteractiveHeader =
	{ type: 'text'; text: string } | { type: 'image' | 'video' | 'document'; media: IDataObject };

export type InteractiveAction =
	| { kind: 'buttons'; buttons: ReplyButton[] }
	| { kind: 'list'; buttonText: string; sections: ListSection[] }
	| { kind: 'ctaUrl'; displayText: string; url: string };

export interface InteractiveInput {
	header?: InteractiveHeader;
	body: string;
	footer?: string;
	action: InteractiveAction;
}

function buttonsAction(buttons: ReplyButton[]): IDataObject {
	checkCount('Reply Buttons', buttons.length, 1, LIMITS.replyButtons);
	for (const [n, button] of buttons.entries()) {
		checkLength(`Button ${n + 1} title`, button.title, LIMITS.replyButtonTitle, true);
		checkLength(`Button ${n + 1} ID`, button.id, LIMITS.replyButtonId, true);
	}
	checkUnique(
		'Button titles',
		buttons.map((b) => b.title),
	);
	checkUnique(
		'Button IDs',
		buttons.map((b) => b.id),
	);
	return { buttons: buttons.map((b) => ({ type: 'reply', reply: { id: b.id, title: b.title } })) };
}

function listAction(buttonText: string, sections: ListSection[]): IDataObject {
	checkLength('List Button Text', buttonText, LIMITS.listButtonText, true);
	checkCount('Sections', sections.length, 1, LIMITS.listSections);
	const rows = sections.flatMap((s) => s.rows);
	checkCount('Rows in all sections', rows.length, 1, LIMITS.listRowsTotal);
	for (const [n, section] of sections.entries()) {
		checkLength(`Section ${n + 1} title`, section.title, LIMITS.sectionTitle, sections.length > 1);
		if (!section.rows.length) throw new LimitError(`Section ${n + 1} has no rows`);
	}
	for (const [n, row] of rows.entries()) {
		checkLength(`Row ${n + 1} title`, row.title, LIMITS.rowTitle, true);
		checkLength(`Row ${n + 1} ID`, row.id, LIMITS.rowId, true);
		checkLength(`Row ${n + 1} description`, row.description, LIMITS.rowDescription);
	}
	checkUnique(
		'Row IDs',
		rows.map((r) => r.id),
	);
	return {
		button: buttonText,
		sections: sections.map((s) => ({
			...(s.title ? { title: s.title } : {}),
			rows: s.rows.map((r) => ({ id: r.id, title: r.title, ...(r.description ? { description: r.description } : {}) })),
		})),
	};
}

function ctaUrlAction(displayText: string, url: string): IDataObject {
	checkLength('Button Text', displayText, LIMITS.ctaDisplayText, true);
	checkHttpUrl('Button URL', url);
	return { name: 'cta_url', parameters: { display_text: displayText, url } };
}

const TYPE = { buttons: 'button', list: 'list', ctaUrl: 'cta_url' } as const;

export function interactiveContent(input: InteractiveInput): MessageContent {
	const headerText = input.header?.type === 'text' ? input.header.text : '';
	checkLength('Header Text', headerText, LIMITS.headerText);
	checkLength('Body Text', input.body, LIMITS.interactiveBody, true);
	checkLength('Footer Text', input.footer ?? '', LIMITS.footerText);
	const { action } = input;
	if (action.kind === 'list' && input.header && input.header.type !== 'text') {
		throw new LimitError('A list message takes a text header only');
	}
	const interactive: IDataObject = { type: TYPE[action.kind] };
	if (input.header && input.header.type !== 'text')
		interactive.header = { type: input.header.type, [input.header.type]: input.header.media };
	else if (headerText) interactive.header = { type: 'text', text: headerText };
	interactive.body = { text: input.body };
	if (input.footer) interactive.footer = { text: input.footer };
	interactive.action =
		action.kind === 'buttons'
			? buttonsAction(action.buttons)
			: action.kind === 'list'
				? listAction(action.buttonText, action.sections)
				: ctaUrlAction(action.displayText, action.url);
	return { type: 'interactive', interactive };
}
