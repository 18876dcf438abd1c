import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { forOperation } from '../../../shared/operation';
import { consentFields, recordConsent } from './consent';

export const description = forOperation('contact', 'optOut', consentFields);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return await recordConsent.call(this, itemIndex, 'opted_out');
}
