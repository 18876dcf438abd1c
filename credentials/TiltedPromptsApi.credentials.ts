import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	Icon,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

export class TiltedPromptsApi implements ICredentialType {
	name = 'tiltedPromptsApi';

	displayName = 'TiltedPrompts API';

	icon: Icon = {
		light: 'file:../nodes/TiltedPrompts/tiltedprompts.svg',
		dark: 'file:../nodes/TiltedPrompts/tiltedprompts.dark.svg',
	};

	documentationUrl = 'https://github.com/tiltedprompts/n8n-nodes-tiltedprompts#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Service URL',
			name: 'baseUrl',
			type: 'string',
			default: 'http://localhost:3000',
			required: true,
			placeholder: 'https://automation.example.com',
			description: 'Base URL of your TiltedPrompts service, without a trailing /api/v1',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Key created with `npm run service -- keys create`. It is shown once; the service stores only its hash.',
		},
		{
			displayName: 'Bundle Signing Secret',
			name: 'signingSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'whsec_…',
			description:
				'Only for Bundle → Ingest: one of the service’s INGEST_SIGNING_SECRETS (whsec_ followed by base64). Bundles are signed with it (Standard Webhooks).',
		},
	];

	/**
	 * `Authorization: Bearer <apiKey>` on every request. A function rather than a `{{ }}`
	 * expression: n8n evaluates credential expressions in its expression sandbox on every request
	 * (about 1.4 ms of CPU each, measured in a 10,000-message campaign).
	 */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		requestOptions.headers = {
			...(requestOptions.headers ?? {}),
			Authorization: `Bearer ${String(credentials.apiKey ?? '')}`,
		};
		return requestOptions;
	}

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/api/v1/me',
		},
	};
}
