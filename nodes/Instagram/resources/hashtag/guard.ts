import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';
import type { InstagramCredentials } from '../../shared/graph';

/** Hashtag search exists only on graph.facebook.com; refuse early with a clear reason. */
export function assertFacebookLogin(context: IExecuteFunctions, credentials: InstagramCredentials, itemIndex: number): void {
	if (credentials.loginType === 'facebook') return;
	throw new NodeOperationError(context.getNode(), 'Hashtag search needs Facebook Login: the credential uses Instagram Login (graph.instagram.com), which has no hashtag endpoints', {
		itemIndex,
		description:
			'Create an Instagram credential with Login Type "Facebook Login" (an Instagram professional account linked to a Facebook Page, token with instagram_basic) to use Hashtag operations.',
	});
}
