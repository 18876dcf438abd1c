// Text messages. Pure.
import { checkLength, LIMITS } from '../limits';
import type { MessageContent } from './envelope';

export function textContent(text: string, previewUrl = false): MessageContent {
	checkLength('Text', text, LIMITS.textBody, true);
	return { type: 'text', text: { body: text, preview_url: previewUrl } };
}
