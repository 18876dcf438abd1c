// What Private Reply and Send Text share: the Text parameter, sent as a DM from the account (or its Page).
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import type { InstagramCallContext } from '../../shared/errors';
import { messagesPath } from '../../shared/graph';
import { getInstagramCredentials, graphRequest } from '../../shared/transport';

/** Sends the item's Text to `recipient` (`{ id }`: an IGSID, or `{ comment_id }`: a commenter). */
export async function sendDirect(
	this: IExecuteFunctions,
	itemIndex: number,
	recipient: IDataObject,
	purpose: InstagramCallContext,
): Promise<IDataObject> {
	const text = this.getNodeParameter('text', itemIndex, '') as string;
	if (!text.trim()) throw new NodeOperationError(this.getNode(), 'Text is empty', { itemIndex });
	const credentials = await getInstagramCredentials.call(this);
	return await graphRequest.call(this, {
		method: 'POST',
		path: messagesPath(credentials),
		body: { recipient, message: { text } },
		itemIndex,
		purpose,
	});
}
