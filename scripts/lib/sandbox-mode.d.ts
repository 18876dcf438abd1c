export interface WorkflowLike {
	nodes?: Array<{
		credentials?: Record<string, { id: string | null; name: string }>;
		parameters?: Record<string, unknown>;
	}>;
	[key: string]: unknown;
}
export const SANDBOX_IDS: { wabaId: string; phoneNumberId: string; igAccountId: string; igPageId: string };
export const SANDBOX_CREDENTIALS: Record<
	'tiltedPromptsApi' | 'whatsAppCloudApi' | 'instagramApi',
	{ id: string; name: string }
>;
export const DEMO_CONTACTS: Array<{ wa_id?: string; user_id?: string; name: string; tags: string[]; consent: string }>;
export function metaMode(env: Record<string, string | undefined>): 'meta' | 'sandbox';
export function wireTemplate<T extends WorkflowLike>(
	workflow: T,
	credentials?: Record<string, { id: string; name: string }>,
	phoneNumberId?: string,
): T;
export function sandboxCredentialRecords(options: {
	sandboxUrl: string;
	serviceUrl: string;
	accessToken: string;
	apiKey: string;
	signingSecret?: string;
}): Array<{
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}>;
