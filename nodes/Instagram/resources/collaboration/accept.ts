import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { forOperation } from '../../../shared/operation';
import { answerInvite, inviteMediaIdField } from './answer';

export const description = forOperation('collaboration', 'accept', [inviteMediaIdField()]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return await answerInvite(this, itemIndex, true);
}
