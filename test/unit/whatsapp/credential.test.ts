// The WhatsApp credential test (the node's credential test method) against the stand-in: Meta's own
// message and code for a bad token, the host named when it cannot be reached.
import type { ICredentialsDecrypted } from 'n8n-workflow';
import { graphVerdict, networkVerdict, testWhatsAppCredential } from '../../../nodes/shared/credentialTest';
import { startGraphStandIn, whatsapp, DEFAULT_WABA_ID, type GraphStandIn } from '../../standin';
import { credentialTestContext } from '../../helpers/credential-test-context';
import { TOKEN } from './harness';

describe('WhatsApp credential test', () => {
	let graph: GraphStandIn;
	beforeAll(async () => {
		graph = await startGraphStandIn({ modules: [whatsapp()], validTokens: [TOKEN] });
	});
	afterAll(() => graph.close());

	const check = async (token: string, baseUrl = `${graph.url}/`) => {
		const credential = { id: 'c1', name: 'WhatsApp', type: 'whatsAppCloudApi', data: { accessToken: token, businessAccountId: DEFAULT_WABA_ID, apiVersion: 'v23.0', baseUrl } } as ICredentialsDecrypted;
		return await testWhatsAppCredential.call(credentialTestContext(), credential);
	};

	it('reads the WhatsApp Business Account with the token (trailing slash in the base URL tolerated)', async () => {
		expect(await check(TOKEN)).toEqual({ status: 'OK', message: 'Connection successful' });
		expect(graph.requests.at(-1)?.path).toBe(`/v23.0/${DEFAULT_WABA_ID}`);
	});

	it("shows Meta's 190 message and what to do for a dead token", async () => {
		const bad = await check('expired-token');
		expect(bad.status).toBe('Error');
		expect(bad.message).toMatch(/^Meta error 190(\/\d+)?: .+ — generate a new access token/);
		expect(bad.message).not.toMatch(/^Unauthorized$/);
	});

	it('names the host it could not reach', async () => {
		const down = await check(TOKEN, 'http://127.0.0.1:1');
		expect(down).toEqual({ status: 'Error', message: expect.stringMatching(/^Could not reach 127\.0\.0\.1:1: /) });
	});

	it('verdicts: Meta error with fbtrace_id; a DNS failure in words', () => {
		expect(graphVerdict(400, { error: { message: 'Unsupported get request.', code: 100, error_subcode: 33, fbtrace_id: 'AbC' } }).message).toBe(
			'Meta error 100/33: Unsupported get request. — check the WhatsApp Business Account ID (fbtrace_id AbC)',
		);
		expect(networkVerdict('https://graph.facebok.com/v24.0/1', Object.assign(new Error('getaddrinfo ENOTFOUND graph.facebok.com'), { code: 'ENOTFOUND' })).message).toBe(
			'Could not reach graph.facebok.com: the name does not resolve (check the spelling) (ENOTFOUND)',
		);
	});
});
