// Accept and Decline share this: POST /{ig-user-id}/collaboration_invites?media_id=…&accept=true|false.
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { getInstagramCredentials, graphRequest } from '../../shared/transport';
import { assertFacebookLogin, COLLABORATION_FEATURE } from '../hashtag/guard';
import { InputError } from '../../../shared/errors';
import { textField } from '../../../shared/fields';

export function inviteMediaIdField(): INodeProperties {
	return textField('Media ID', 'inviteMediaId', {
		required: true,
		placeholder: '18078920227752107',
		description: 'The media_id of the invite (from Collaboration → Get Many Invites)',
	});
}

export async function answerInvite(
	context: IExecuteFunctions,
	itemIndex: number,
	accept: boolean,
): Promise<IDataObject> {
	const credentials = await getInstagramCredentials.call(context);
	assertFacebookLogin(context, credentials, itemIndex, COLLABORATION_FEATURE);
	const mediaId = String(context.getNodeParameter('inviteMediaId', itemIndex, '')).trim();
	if (!/^\d+$/.test(mediaId)) {
		throw new InputError(
			`Media ID: "${mediaId}" is not an IG Media ID`,
			'Give the media_id of a pending invite, as Collaboration → Get Many Invites lists it.',
		);
	}
	const response = await graphRequest.call(context, {
		method: 'POST',
		path: `/${credentials.accountId}/collaboration_invites`,
		qs: { media_id: mediaId, accept },
		itemIndex,
	});
	return { media_id: mediaId, accepted: accept, success: response.success === true };
}
