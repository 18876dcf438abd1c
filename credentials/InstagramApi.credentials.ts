import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	Icon,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';
import { metaCredentialTestRules } from '../nodes/shared/credentialTest';
import { DEFAULT_GRAPH_VERSION, GRAPH_API_VERSIONS } from '../nodes/shared/graph';

// Host, version and account come from the credential so one expression builds every URL.
const BASE_URL =
	'={{($credentials.baseUrl ? $credentials.baseUrl.replace(/\\/+$/, "") : ($credentials.loginType === "instagram" ? "https://graph.instagram.com" : "https://graph.facebook.com")) + "/" + $credentials.apiVersion}}';

export class InstagramApi implements ICredentialType {
	name = 'instagramApi';

	displayName = 'Instagram Graph API';

	icon: Icon = {
		light: 'file:../nodes/Instagram/instagram.svg',
		dark: 'file:../nodes/Instagram/instagram.dark.svg',
	};

	documentationUrl = 'https://github.com/tiltedprompts/n8n-nodes-tiltedprompts#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Login Type',
			name: 'loginType',
			type: 'options',
			options: [
				{
					name: 'Facebook Login (graph.facebook.com)',
					value: 'facebook',
					description: 'Instagram professional account linked to a Facebook Page; needed for hashtag search',
				},
				{
					name: 'Instagram Login (graph.instagram.com)',
					value: 'instagram',
					description: 'Business Login for Instagram; no Facebook Page needed, no hashtag search',
				},
			],
			default: 'facebook',
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Facebook Login: a long-lived User or Page access token (or a System User token). Instagram Login: a long-lived Instagram User access token.',
		},
		{
			displayName: 'Instagram Account ID',
			name: 'accountId',
			type: 'string',
			default: '',
			required: true,
			placeholder: '17841400000000000',
			description: 'ID of the Instagram professional (business or creator) account, not the username',
		},
		{
			displayName: 'Facebook Page ID',
			name: 'pageId',
			type: 'string',
			default: '',
			displayOptions: { show: { loginType: ['facebook'] } },
			description:
				'Facebook Login only: the Page linked to the account. Private replies and DMs are sent as this Page; leave empty to send as /me with a Page access token.',
		},
		{
			displayName: 'API Version',
			name: 'apiVersion',
			type: 'options',
			options: GRAPH_API_VERSIONS.map((version) => ({
				name: version === DEFAULT_GRAPH_VERSION ? `${version} (Newest)` : version,
				value: version,
			})),
			default: DEFAULT_GRAPH_VERSION,
			required: true,
			description:
				'Graph API version of every call. Meta supports each version for about two years; trial reels, collaboration invites and the newest metrics work on all of these.',
		},
		{
			displayName: 'Base URL Override',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'http://127.0.0.1:8080',
			description:
				'Leave empty to use Meta. For tests or a proxy: the URL that replaces https://graph.facebook.com or https://graph.instagram.com.',
		},
	];

	/**
	 * `Authorization: Bearer <accessToken>` on every request. A function rather than a `{{ }}`
	 * expression: n8n evaluates credential expressions in its expression sandbox on every request
	 * (about 1.4 ms of CPU each, measured in a 10,000-message campaign).
	 */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		requestOptions.headers = {
			...(requestOptions.headers ?? {}),
			Authorization: `Bearer ${String(credentials.accessToken ?? '')}`,
		};
		return requestOptions;
	}

	test: ICredentialTestRequest = {
		request: {
			baseURL: BASE_URL,
			url: '={{"/" + $credentials.accountId}}',
			qs: { fields: 'id,username' },
			// Meta's error body is read (not n8n's bare HTTP reason phrase) and explained by the rules.
			ignoreHttpStatusErrors: true,
		},
		rules: metaCredentialTestRules('Access Token', 'Instagram account', 'Instagram Account ID'),
	};
}
