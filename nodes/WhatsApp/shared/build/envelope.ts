// The Cloud API message body around one message's content. Pure.
import type { IDataObject } from 'n8n-workflow';

/** One message's content: `{ type: 'text', text: { … } }`, `{ type: 'image', image: { … } }`, … */
export interface MessageContent extends IDataObject {
	type: string;
}

/** `{ messaging_product, recipient_type, to, type, <type>: …, context? }` — the body of POST /{phone-number-id}/messages. */
export function messageBody(to: string, content: MessageContent, replyToMessageId?: string): IDataObject {
	const body: IDataObject = { messaging_product: 'whatsapp', recipient_type: 'individual', to, ...content };
	const replyTo = (replyToMessageId ?? '').trim();
	if (replyTo && content.type !== 'reaction') body.context = { message_id: replyTo };
	return body;
}
