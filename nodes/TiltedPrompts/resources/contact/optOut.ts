import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { forOperation } from '../../../shared/operation';
import { consentFields, recordConsent } from './consent';

export const option = { name: 'Opt Out', action: 'Opt a contact out', description: 'Record that the contact no longer wants marketing messages' };

export const description = forOperation('contact', 'optOut', consentFields);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return await recordConsent.call(this, itemIndex, 'opted_out');
}
