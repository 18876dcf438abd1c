// Contacts messages. Pure.
import type { IDataObject } from 'n8n-workflow';
import { checkCount, LIMITS, LimitError } from '../limits';
import type { MessageContent } from './envelope';

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/** Contact cards from a JSON text, an array or one object; each needs name.formatted_name. */
export function contactsContent(raw: unknown): MessageContent {
	let contacts: unknown = typeof raw === 'string' ? parseJson(raw) : raw;
	if (contacts === undefined) throw new LimitError('Contacts (JSON) is not valid JSON');
	if (!Array.isArray(contacts)) contacts = [contacts];
	const list = contacts as IDataObject[];
	checkCount('Contacts', list.length, 1, LIMITS.contacts);
	for (const [n, contact] of list.entries()) {
		const name = (contact?.name ?? {}) as IDataObject;
		if (!name.formatted_name) throw new LimitError(`Contact ${n + 1}: name.formatted_name is required`);
	}
	return { type: 'contacts', contacts: list };
}
