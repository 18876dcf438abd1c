import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { forOperation } from '../../../shared/operation';
import { LimitError } from '../../shared/limits';
import { getCredentials, graphCall } from '../../shared/transport';

export const description: INodeProperties[] = forOperation('template', 'delete', [
	{
		displayName: 'Name',
		name: 'deleteName',
		type: 'string',
		default: '',
		required: true,
		description: 'Deletes the template in all its languages, unless an ID is given',
	},
	{
		displayName: 'Template ID',
		name: 'deleteId',
		type: 'string',
		default: '',
		description: 'Optional: delete only this language version',
	},
]);

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const { businessAccountId } = await getCredentials.call(this);
	const name = String(this.getNodeParameter('deleteName', i, '')).trim();
	if (!name) throw new LimitError('Name is required');
	const id = String(this.getNodeParameter('deleteId', i, '')).trim();
	const qs: IDataObject = { name };
	if (id) qs.hsm_id = id;
	const result = await graphCall.call(
		this,
		{ method: 'DELETE', path: `/${businessAccountId}/message_templates`, qs },
		i,
	);
	return { ...result, name };
}
