import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { forOperation } from '../../../shared/operation';
import { getPhoneNumberId, phoneNumberField } from '../../shared/fields';
import { LimitError } from '../../shared/limits';
import { graphCall } from '../../shared/transport';

export const description: INodeProperties[] = forOperation('message', 'markAsRead', [
	phoneNumberField({}, 'Receiving Phone Number'),
	{
		displayName: 'Message ID',
		name: 'messageId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'wamid.HBgL…',
		description:
			'The incoming message to mark as read (the blue ticks); earlier messages of the conversation are marked too',
	},
	{
		displayName: 'Show Typing Indicator',
		name: 'typingIndicator',
		type: 'boolean',
		default: false,
		description: 'Whether to show "typing…" to the customer until you reply (at most 25 seconds)',
	},
]);

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const messageId = String(this.getNodeParameter('messageId', i, '')).trim();
	if (!messageId) throw new LimitError('Message ID is required');
	const body: IDataObject = { messaging_product: 'whatsapp', status: 'read', message_id: messageId };
	if (this.getNodeParameter('typingIndicator', i, false)) body.typing_indicator = { type: 'text' };
	const phoneNumberId = getPhoneNumberId.call(this, i);
	const result = await graphCall.call(this, { method: 'POST', path: `/${phoneNumberId}/messages`, body }, i);
	return { ...result, message_id: messageId };
}
