import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { forOperation } from '../../../shared/operation';
import { hashtagMediaFields, readHashtagMedia } from './media';

export const description = forOperation('hashtag', 'topMedia', hashtagMediaFields);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	return await readHashtagMedia.call(this, itemIndex, 'top_media');
}
