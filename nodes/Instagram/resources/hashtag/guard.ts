import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';
import type { InstagramCredentials } from '../../shared/graph';

/**
 * Some endpoints exist only on graph.facebook.com (hashtag search, collaborators, collaboration
 * invites); refuse early with a clear reason.
 */
export function assertFacebookLogin(
	context: IExecuteFunctions,
	credentials: InstagramCredentials,
	itemIndex: number,
	feature = {
		name: 'Hashtag search',
		endpoints: 'hashtag endpoints',
		operations: 'Hashtag operations',
		token: 'instagram_basic',
	},
): void {
	if (credentials.loginType === 'facebook') return;
	throw new NodeOperationError(
		context.getNode(),
		`${feature.name} needs Facebook Login: the credential uses Instagram Login (graph.instagram.com), which has no ${feature.endpoints}`,
		{
			itemIndex,
			description: `Create an Instagram credential with Login Type "Facebook Login" (an Instagram professional account linked to a Facebook Page, token with ${feature.token}) to use ${feature.operations}.`,
		},
	);
}

/** The collaboration endpoints' entry for assertFacebookLogin. */
export const COLLABORATION_FEATURE = {
	name: 'Collaboration',
	endpoints: 'collaborators or collaboration_invites endpoints',
	operations: 'collaboration operations',
	token: 'instagram_basic',
};
