import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	Icon,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';
import { metaCredentialTestRules } from '../nodes/shared/credentialTest';
import { DEFAULT_GRAPH_VERSION } from '../nodes/shared/graph';

export class WhatsAppCloudApi implements ICredentialType {
	name = 'whatsAppCloudApi';

	displayName = 'TiltedPrompts WhatsApp Cloud API';

	icon: Icon = {
		light: 'file:../nodes/WhatsApp/whatsapp.svg',
		dark: 'file:../nodes/WhatsApp/whatsapp.dark.svg',
	};

	documentationUrl = 'https://github.com/tiltedprompts/n8n-nodes-tiltedprompts#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'A System User access token with whatsapp_business_messaging and whatsapp_business_management (Business Settings → System Users → Generate token). System User tokens do not expire.',
		},
		{
			displayName: 'WhatsApp Business Account ID',
			name: 'businessAccountId',
			type: 'string',
			default: '',
			required: true,
			placeholder: '102290129340398',
			description: "The WABA ID (WhatsApp Manager → Account tools → Phone numbers, or the app's API Setup page)",
		},
		{
			displayName: 'Graph API Version',
			name: 'apiVersion',
			type: 'string',
			default: DEFAULT_GRAPH_VERSION,
			required: true,
			description: `Graph API version used for every call, e.g. ${DEFAULT_GRAPH_VERSION}`,
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://graph.facebook.com',
			required: true,
			description: 'Graph API host. Leave the default unless you route through a proxy.',
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
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}/{{$credentials.apiVersion}}',
			url: '=/{{$credentials.businessAccountId}}',
			qs: { fields: 'id,name' },
			// Meta's error body is read (not n8n's bare HTTP reason phrase) and explained by the rules.
			ignoreHttpStatusErrors: true,
		},
		rules: metaCredentialTestRules('Access Token', 'WhatsApp Business Account', 'WhatsApp Business Account ID'),
	};
}
