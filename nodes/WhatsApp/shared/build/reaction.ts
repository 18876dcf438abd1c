// Reaction messages. Pure.
import { LimitError } from '../limits';
import type { MessageContent } from './envelope';

/** React to a message with an emoji; an empty emoji removes a previous reaction. */
export function reactionContent(messageId: string, emoji: string): MessageContent {
	const id = messageId.trim();
	if (!id) throw new LimitError('Message ID to React To is required');
	return { type: 'reaction', reaction: { message_id: id, emoji } };
}
