import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { textField } from '../../../shared/fields';
import { forOperation } from '../../../shared/operation';
import { sendDirect } from './direct';

export const description = forOperation('message', 'sendText', [
	textField('Recipient ID', 'recipientId', {
		required: true,
		description: 'Instagram-scoped ID (IGSID) of someone who messaged the account in the last 24 hours',
	}),
	textField('Text', 'text', { typeOptions: { rows: 3 }, required: true }),
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const recipientId = String(this.getNodeParameter('recipientId', itemIndex, '')).trim();
	if (!recipientId) throw new NodeOperationError(this.getNode(), 'Recipient ID is empty', { itemIndex });
	return await sendDirect.call(this, itemIndex, { id: recipientId }, 'sendMessage');
}
