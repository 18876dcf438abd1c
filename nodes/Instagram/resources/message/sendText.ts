import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { messagesPath } from '../../shared/graph';
import { getInstagramCredentials, graphRequest } from '../../shared/transport';
import type { InstagramOperation } from '../types';

const show = { resource: ['message'], operation: ['sendText'] };

export const sendText: InstagramOperation = {
	description: [
		{
			displayName: 'Recipient ID',
			name: 'recipientId',
			type: 'string',
			default: '',
			required: true,
			displayOptions: { show },
			description: 'Instagram-scoped ID (IGSID) of someone who messaged the account in the last 24 hours',
		},
		{
			displayName: 'Text',
			name: 'text',
			type: 'string',
			typeOptions: { rows: 3 },
			default: '',
			required: true,
			displayOptions: { show },
		},
	],
	async execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
		const credentials = await getInstagramCredentials(this);
		const recipientId = String(this.getNodeParameter('recipientId', itemIndex, '')).trim();
		const text = this.getNodeParameter('text', itemIndex, '') as string;
		if (!recipientId) throw new NodeOperationError(this.getNode(), 'Recipient ID is empty', { itemIndex });
		if (!text.trim()) throw new NodeOperationError(this.getNode(), 'Text is empty', { itemIndex });
		return await graphRequest(this, {
			method: 'POST',
			path: messagesPath(credentials),
			body: { recipient: { id: recipientId }, message: { text } },
			itemIndex,
			context: 'sendMessage',
		});
	},
};
