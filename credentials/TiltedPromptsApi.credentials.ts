import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	Icon,
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

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/api/v1/me',
		},
	};
}
