import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { forOperation } from '../../../shared/operation';
import { getPhoneNumberId, phoneNumberField } from '../../shared/fields';
import { graphCall } from '../../shared/transport';
import { PHONE_FIELDS } from './list';

export const description: INodeProperties[] = forOperation('phoneNumber', 'get', [
	phoneNumberField({}, 'Phone Number'),
]);

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	return await graphCall.call(
		this,
		{ method: 'GET', path: `/${getPhoneNumberId.call(this, i)}`, qs: { fields: PHONE_FIELDS } },
		i,
	);
}
