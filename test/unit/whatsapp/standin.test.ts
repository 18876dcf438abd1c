import {
	startGraphStandIn,
	whatsapp,
	DEFAULT_PHONE_NUMBER_ID,
	DEFAULT_WABA_ID,
	type GraphStandIn,
	type WhatsAppState,
} from '../../../sandbox';

describe('Graph API stand-in (WhatsApp module)', () => {
	let graph: GraphStandIn;
	beforeEach(async () => {
		graph = await startGraphStandIn({
			modules: [whatsapp({ mpsLimit: 3, mpsWindowMs: 600_000, pairRateWindowMs: 600_000 })],
			validTokens: ['good'],
		});
	});
	afterEach(() => graph.close());

	const send = (to: string, token = 'good', extra: Record<string, unknown> = {}) =>
		fetch(`${graph.url}/v23.0/${DEFAULT_PHONE_NUMBER_ID}/messages`, {
			method: 'POST',
			headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
			body: JSON.stringify({
				messaging_product: 'whatsapp',
				recipient_type: 'individual',
				to,
				type: 'text',
				text: { body: 'hi' },
				...extra,
			}),
		}).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

	it('answers Meta-shaped successes and errors: 130429 over the mps limit, 131056 for the same pair, 190 for bad tokens', async () => {
		const ok = await send('919800000001');
		expect(ok.status).toBe(200);
		expect(ok.body.messages[0].id).toMatch(/^wamid\./);
		const pair = await send('919800000001');
		expect(pair.body.error).toMatchObject({ code: 131056, error_data: { messaging_product: 'whatsapp' } });
		expect(pair.body.error.fbtrace_id).toEqual(expect.any(String));
		await send('919800000002');
		const over = await send('919800000003');
		expect(over.body.error.code).toBe(130429);
		const bad = await send('919800000009', 'expired');
		expect(bad.status).toBe(401);
		expect(bad.body.error).toMatchObject({ code: 190, type: 'OAuthException', error_subcode: 463 });
		expect((graph.state.whatsapp as WhatsAppState).messages).toHaveLength(2);
	});

	it('rejects spec-invalid bodies with code 100 and logs the problems', async () => {
		const res = await send('919800000004', 'good', { text: { body: 'x', bogus: true } });
		expect(res.body.error.code).toBe(100);
		expect(graph.invalidRequests()).toHaveLength(1);
	});

	it('injects failures and paginates with cursors', async () => {
		graph.inject({ match: { route: 'whatsapp.messages' }, error: { code: 131047 }, times: 1 });
		expect((await send('919800000005')).body.error.code).toBe(131047);
		expect((await send('919800000005')).status).toBe(200);
		const get = (url: string) =>
			fetch(url, { headers: { authorization: 'Bearer good' } }).then((r) => r.json() as Promise<any>);
		const first = await get(`${graph.url}/v23.0/${DEFAULT_WABA_ID}/message_templates?limit=4`);
		expect(first.data).toHaveLength(4);
		const second = await get(first.paging.next);
		expect(second.data.length).toBeGreaterThan(0);
		expect(second.data[0].name).not.toBe(first.data[0].name);
		expect(second.paging.next).toBeUndefined();
	});
});
