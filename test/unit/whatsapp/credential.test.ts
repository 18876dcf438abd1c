// The credential's `test` request, resolved as n8n resolves it, against the stand-in.
import { WhatsAppCloudApi } from '../../../credentials/WhatsAppCloudApi.credentials';
import { startGraphStandIn, whatsapp, DEFAULT_WABA_ID, type GraphStandIn } from '../../../sandbox';
import { httpRequest, TOKEN } from './harness';

/** lodash's get for a dotted path, as n8n's credential tester reads a rule's key. */
const get = (value: unknown, path: string): unknown =>
	path.split('.').reduce<unknown>((v, key) => (v as Record<string, unknown> | null | undefined)?.[key], value);

/** What n8n's credential tester reports for a test answer: the first `responseSuccessBody` rule that matches. */
function verdict(body: unknown): string {
	for (const rule of new WhatsAppCloudApi().test.rules ?? []) {
		if (rule.type === 'responseSuccessBody' && get(body, rule.properties.key) === rule.properties.value)
			return rule.properties.message;
	}
	return 'Connection successful!';
}

/** n8n evaluates `={{ … }}` templates against the credential; these use only simple member access and replace(). */
function evaluate(template: string, credentials: Record<string, string>): string {
	return template
		.replace(/^=/, '')
		.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_, expression: string) =>
			String(new Function('$credentials', `return (${expression});`)(credentials)),
		);
}

describe('WhatsApp credential test request', () => {
	let graph: GraphStandIn;
	beforeAll(async () => {
		graph = await startGraphStandIn({ modules: [whatsapp()], validTokens: [TOKEN] });
	});
	afterAll(() => graph.close());

	const check = async (token: string) => {
		const credential = new WhatsAppCloudApi();
		const data = {
			accessToken: token,
			businessAccountId: DEFAULT_WABA_ID,
			apiVersion: 'v23.0',
			baseUrl: `${graph.url}/`,
		};
		const request = credential.test.request;
		return (await httpRequest({
			method: 'GET',
			baseURL: evaluate(String(request.baseURL), data),
			url: evaluate(String(request.url), data),
			qs: request.qs,
			headers: (await credential.authenticate(data, { url: '' })).headers,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as { statusCode: number; body: any };
	};

	it('reads the WhatsApp Business Account with the token (trailing slash in the base URL tolerated)', async () => {
		const ok = await check(TOKEN);
		expect(ok.statusCode).toBe(200);
		expect(ok.body).toEqual({ id: DEFAULT_WABA_ID, name: 'Chai Point' });
		expect(graph.requests.at(-1)?.path).toBe(`/v23.0/${DEFAULT_WABA_ID}`);
	});

	it("fails with Meta's 190 for a dead token", async () => {
		const bad = await check('expired-token');
		expect(bad.statusCode).toBe(401);
		expect(bad.body.error.code).toBe(190);
	});

	it("reports a dead token as Meta's 190 with what to do, not as the bare HTTP reason phrase", async () => {
		expect(verdict((await check(TOKEN)).body)).toBe('Connection successful!');
		const bad = verdict((await check('expired-token')).body);
		expect(bad).toMatch(/^Meta error 190 \(subcode 463\): the access token has expired/);
		expect(bad).toContain('paste it into Access Token');
	});

	it("explains Meta's other refusals by code and subcode, and refuses any answer without the account", () => {
		const error = (code: number, error_subcode?: number) => ({
			error: { message: 'x', type: 'OAuthException', code, error_subcode, fbtrace_id: 'A1' },
		});
		expect(verdict(error(190, 463))).toMatch(/^Meta error 190 \(subcode 463\): the access token has expired/);
		expect(verdict(error(100))).toMatch(/^Meta error 100: .*Check WhatsApp Business Account ID/);
		expect(verdict(error(10))).toMatch(/^Meta error 10: permission denied/);
		expect(verdict(error(200))).toMatch(/^Meta error 200: the token lacks a permission/);
		expect(verdict(error(80007))).toMatch(/rate-limiting/);
		expect(verdict(error(131000))).toMatch(/did not get the WhatsApp Business Account back/);
		expect(verdict('<html>502 Bad Gateway</html>')).toMatch(/did not get the WhatsApp Business Account back/);
	});
});
