// The credential's `test` request, resolved as n8n resolves it, against the stand-in.
import { WhatsAppCloudApi } from '../../../credentials/WhatsAppCloudApi.credentials';
import { startGraphStandIn, whatsapp, DEFAULT_WABA_ID, type GraphStandIn } from '../../../sandbox';
import { httpRequest, TOKEN } from './harness';

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
});
