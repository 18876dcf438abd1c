// Credential tests that say what is wrong: Meta's own message and code (e.g. 190, the token has
// expired), the service's message ("The API key is unknown or revoked…"), or the host that could not
// be reached, instead of n8n's bare "Unauthorized" / "Bad Request" / "ENOTFOUND". The verdicts are
// pure; `probe` is the one request, through the credential-test context's helper.
import type { ICredentialTestFunctions, ICredentialsDecrypted, INodeCredentialTestResult } from 'n8n-workflow';
import { graphBase } from './graph';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function parsed(body: unknown): unknown {
	if (typeof body !== 'string') return body;
	try {
		return JSON.parse(body);
	} catch {
		return body;
	}
}

/** Meta's answer → a verdict naming Meta's code, message and fbtrace_id. */
export function graphVerdict(status: number, body: unknown): INodeCredentialTestResult {
	if (status >= 200 && status < 300) return { status: 'OK', message: 'Connection successful' };
	const error = isObject(parsed(body)) ? (parsed(body) as Json).error : undefined;
	if (isObject(error) && (typeof error.message === 'string' || typeof error.code === 'number')) {
		const code = error.code !== undefined ? ` ${String(error.code)}${error.error_subcode !== undefined ? `/${String(error.error_subcode)}` : ''}` : '';
		const hint = error.code === 190 ? ' — generate a new access token (a System User token does not expire)' : error.code === 100 ? ' — check the WhatsApp Business Account ID' : '';
		const trace = typeof error.fbtrace_id === 'string' ? ` (fbtrace_id ${error.fbtrace_id})` : '';
		return { status: 'Error', message: `Meta error${code}: ${String(error.message ?? 'no message')}${hint}${trace}` };
	}
	return { status: 'Error', message: `Meta answered HTTP ${status} without an error message` };
}

/** The service's answer (`{ error: { code, message } }`) → a verdict with its message. */
export function serviceVerdict(status: number, body: unknown): INodeCredentialTestResult {
	if (status >= 200 && status < 300) return { status: 'OK', message: 'Connection successful' };
	const error = isObject(parsed(body)) ? (parsed(body) as Json).error : undefined;
	if (isObject(error) && typeof error.message === 'string') return { status: 'Error', message: `TiltedPrompts service: ${error.message}` };
	if (status === 404) return { status: 'Error', message: 'This address answers, but it is not a TiltedPrompts service (no /api/v1/me): check the Base URL' };
	return { status: 'Error', message: `The TiltedPrompts service answered HTTP ${status} without an error message` };
}

/** A request that got no answer → a verdict naming the host and why. */
export function networkVerdict(url: string, error: unknown): INodeCredentialTestResult {
	const e = error as { code?: unknown; cause?: { code?: unknown; errors?: Array<{ code?: unknown }> }; message?: unknown };
	const code = String(e?.code ?? e?.cause?.code ?? e?.cause?.errors?.[0]?.code ?? '');
	let host = url;
	try {
		host = new URL(url).host;
	} catch {
		// keep the URL as given
	}
	const why: Record<string, string> = {
		ENOTFOUND: 'the name does not resolve (check the spelling)',
		EAI_AGAIN: 'the name could not be resolved right now (DNS)',
		ECONNREFUSED: 'nothing is listening there (is it running? is the port right?)',
		ETIMEDOUT: 'no answer in time',
		ECONNABORTED: 'no answer in time',
		ECONNRESET: 'the connection was closed',
		CERT_HAS_EXPIRED: 'its TLS certificate has expired',
		DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed',
	};
	return { status: 'Error', message: `Could not reach ${host}: ${why[code] ?? (typeof e?.message === 'string' ? e.message : 'no answer')}${code ? ` (${code})` : ''}` };
}

interface Answer {
	status: number;
	body: unknown;
}

/** The HTTP status and body of an error thrown for a non-2xx answer, or undefined (no answer). */
function answerOf(error: unknown): Answer | undefined {
	const e = error as { statusCode?: number; error?: unknown; response?: { status?: number; statusCode?: number; data?: unknown; body?: unknown }; cause?: { response?: { status?: number; data?: unknown } } };
	const status = e?.statusCode ?? e?.response?.status ?? e?.response?.statusCode ?? e?.cause?.response?.status;
	if (typeof status !== 'number') return undefined;
	return { status, body: e.response?.data ?? e.response?.body ?? e.cause?.response?.data ?? e.error };
}

async function probe(this: ICredentialTestFunctions, url: string, headers: Record<string, string>, qs?: Record<string, string>): Promise<Answer | { error: unknown }> {
	try {
		// The credential-test context offers only the legacy request helper (no httpRequest).
		// eslint-disable-next-line @n8n/community-nodes/no-deprecated-workflow-functions
		const response = (await this.helpers.request({ method: 'GET', uri: url, qs, headers, json: true, resolveWithFullResponse: true, simple: false, timeout: 15_000 })) as {
			statusCode?: number;
			status?: number;
			body?: unknown;
		};
		return { status: Number(response.statusCode ?? response.status ?? 200), body: response.body };
	} catch (error) {
		return answerOf(error) ?? { error };
	}
}

export async function testWhatsAppCredential(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	const data = credential.data ?? {};
	const url = `${graphBase(String(data.baseUrl ?? 'https://graph.facebook.com'), String(data.apiVersion ?? ''))}/${encodeURIComponent(String(data.businessAccountId ?? ''))}`;
	const answer = await probe.call(this, url, { Authorization: `Bearer ${String(data.accessToken ?? '')}` }, { fields: 'id,name' });
	return 'error' in answer ? networkVerdict(url, answer.error) : graphVerdict(answer.status, answer.body);
}

export async function testTiltedPromptsCredential(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	const data = credential.data ?? {};
	const url = `${String(data.baseUrl ?? '').replace(/\/+$/, '')}/api/v1/me`;
	const answer = await probe.call(this, url, { Authorization: `Bearer ${String(data.apiKey ?? '')}` });
	return 'error' in answer ? networkVerdict(url, answer.error) : serviceVerdict(answer.status, answer.body);
}
