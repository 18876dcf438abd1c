import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { forOperation } from '../../../shared/operation';
import { getPhoneNumberId, phoneNumberField } from '../../shared/fields';
import { uploadBinary } from '../../shared/media';

export const description: INodeProperties[] = forOperation('media', 'upload', [
	phoneNumberField({}),
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the input binary field containing the file to upload',
	},
]);

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const id = await uploadBinary.call(
		this,
		i,
		getPhoneNumberId.call(this, i),
		String(this.getNodeParameter('binaryPropertyName', i, 'data')),
	);
	return { id };
}
