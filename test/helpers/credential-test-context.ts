// The credential-test context n8n hands to a node's credential test method: `helpers.request` with
// the legacy options, answered through fetch (full response with status and parsed body; a request
// that gets no answer throws the network error, as n8n's does).
import type { ICredentialTestFunctions } from 'n8n-workflow';

export function credentialTestContext(): ICredentialTestFunctions {
	const request = async (options: { method?: string; uri: string; qs?: Record<string, string>; headers?: Record<string, string> }) => {
		const url = new URL(options.uri);
		for (const [k, v] of Object.entries(options.qs ?? {})) url.searchParams.set(k, v);
		const response = await fetch(url, { method: options.method ?? 'GET', headers: options.headers });
		const text = await response.text();
		let body: unknown = text;
		try {
			body = JSON.parse(text);
		} catch {
			// not JSON
		}
		return { statusCode: response.status, body };
	};
	return { helpers: { request } } as unknown as ICredentialTestFunctions;
}
