import { NodeOperationError, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

export function commentIdField(description = 'ID of the comment'): INodeProperties {
	return {
		displayName: 'Comment ID',
		name: 'commentId',
		type: 'string',
		default: '',
		required: true,
		placeholder: '17873440459141021',
		description,
	};
}

export function readCommentId(context: IExecuteFunctions, itemIndex: number): string {
	const id = String(context.getNodeParameter('commentId', itemIndex, '')).trim();
	if (!id) throw new NodeOperationError(context.getNode(), 'Comment ID is empty', { itemIndex });
	return id;
}
