// The Cloud API message body around one message's content. Pure.
import type { IDataObject } from 'n8n-workflow';

/** One message's content: `{ type: 'text', text: { … } }`, `{ type: 'image', image: { … } }`, … */
export interface MessageContent extends IDataObject {
	type: string;
}

const BSUID = /^[A-Z]{2}\.(ENT\.)?[A-Za-z0-9]{1,128}$/;

/**
 * `{ messaging_product, recipient_type, to | recipient, type, <type>: …, context? }` — the body of
 * POST /{phone-number-id}/messages. A phone number goes in `to`; a business-scoped user ID (a person
 * whose phone number Meta withholds) goes in `recipient`, as Meta documents.
 */
export function messageBody(to: string, content: MessageContent, replyToMessageId?: string): IDataObject {
	const address = BSUID.test(to) ? { recipient: to } : { to };
	const body: IDataObject = { messaging_product: 'whatsapp', recipient_type: 'individual', ...address, ...content };
	const replyTo = (replyToMessageId ?? '').trim();
	if (replyTo && content.type !== 'reaction') body.context = { message_id: replyTo };
	return body;
}
