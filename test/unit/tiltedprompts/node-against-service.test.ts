// The TiltedPrompts node's operations, driven through execute() with an n8n context double whose
// HTTP helpers make real requests to the real service (in-process, real Postgres).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { TiltedPrompts } from '../../../nodes/TiltedPrompts/TiltedPrompts.node';
import { TiltedPromptsApi } from '../../../credentials/TiltedPromptsApi.credentials';
import { runNode, type HttpCall, type Params } from '../../helpers/n8n';
import { startRealService, type RunningService } from './support/service';

jest.setTimeout(60_000);

let service: RunningService;
const node = new TiltedPrompts();

beforeAll(async () => {
	service = await startRealService();
});
afterAll(async () => {
	await service?.close();
});

interface RunOptions {
	items?: IDataObject[];
	apiKey?: string;
	signingSecret?: string;
	baseUrl?: string;
	continueOnFail?: boolean;
	httpLog?: HttpCall[];
}

async function run(params: Params, options: RunOptions = {}): Promise<INodeExecutionData[]> {
	const { output, calls } = await runNode({
		nodeType: node,
		params,
		items: options.items,
		credentials: {
			tiltedPromptsApi: {
				baseUrl: options.baseUrl ?? service.url,
				apiKey: options.apiKey ?? service.proKey,
				signingSecret: options.signingSecret ?? service.signingSecret,
			},
		},
		credentialTypes: [new TiltedPromptsApi()],
		continueOnFail: options.continueOnFail,
	});
	options.httpLog?.push(...calls);
	return output;
}

const json = (items: INodeExecutionData[]) => items.map((item) => item.json);

async function errorOf(
	promise: Promise<unknown>,
): Promise<{ message: string; description?: string; httpCode?: string }> {
	try {
		await promise;
	} catch (error) {
		return error as { message: string; description?: string; httpCode?: string };
	}
	throw new Error('expected the node to fail');
}

describe('Library', () => {
	beforeAll(async () => {
		// 230 assets (every fifth premium) written as the service would store them.
		await service.db.pool.query(
			`INSERT INTO library_assets (slug, type, title, content, tags, is_premium)
			 SELECT 'bulk/' || n, 'caption', 'Bulk caption ' || n, jsonb_build_object('text', 'Caption number ' || n),
			        ARRAY['bulk'], n % 5 = 0
			 FROM generate_series(1, 230) AS n`,
		);
	});

	it('creates, gets, updates and deletes an asset', async () => {
		const [created] = json(
			await run({
				resource: 'library',
				operation: 'create',
				title: 'Diwali sale caption',
				type: 'caption',
				content: '{"text":"Lights, colours and 20% off"}',
				additionalFields: { tags: 'festive, sale', is_premium: false },
			}),
		);
		expect(created).toMatchObject({
			title: 'Diwali sale caption',
			type: 'caption',
			tags: ['festive', 'sale'],
			content: { text: 'Lights, colours and 20% off' },
		});
		const id = created.id as string;

		const [got] = json(await run({ resource: 'library', operation: 'get', assetId: { mode: 'id', value: id } }));
		expect(got.title).toBe('Diwali sale caption');

		const [updated] = json(
			await run({
				resource: 'library',
				operation: 'update',
				assetId: { mode: 'list', value: id },
				updateFields: { title: 'Diwali caption', is_premium: true },
			}),
		);
		expect(updated).toMatchObject({ id, title: 'Diwali caption', is_premium: true });

		expect(json(await run({ resource: 'library', operation: 'delete', assetId: { mode: 'id', value: id } }))).toEqual([
			{ deleted: true, id },
		]);
		const gone = await errorOf(run({ resource: 'library', operation: 'get', assetId: { mode: 'id', value: id } }));
		expect(gone.httpCode).toBe('404');
		expect(gone.message).toContain('TiltedPrompts service error 404');
	});

	it('returns all assets across cursor pages, or only up to the limit', async () => {
		const log: HttpCall[] = [];
		const all = await run(
			{ resource: 'library', operation: 'search', returnAll: true, filters: { tag: 'bulk' } },
			{ httpLog: log },
		);
		expect(all).toHaveLength(230);
		expect(new Set(all.map((item) => item.json.id)).size).toBe(230);
		expect(log.filter((call) => call.url.includes('/library/assets')).length).toBeGreaterThan(1);
		expect(all.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);

		const some = await run({
			resource: 'library',
			operation: 'search',
			returnAll: false,
			limit: 7,
			filters: { tag: 'bulk' },
		});
		expect(some).toHaveLength(7);
	});

	it('is tier-aware: a free user’s key never returns premium assets', async () => {
		const pro = await run({
			resource: 'library',
			operation: 'search',
			returnAll: true,
			filters: { tag: 'bulk', premium: 'true' },
		});
		expect(pro).toHaveLength(46);
		const free = await run(
			{ resource: 'library', operation: 'search', returnAll: true, filters: { tag: 'bulk' } },
			{ apiKey: service.freeKey },
		);
		expect(free).toHaveLength(184);
		expect(free.some((item) => item.json.is_premium)).toBe(false);
	});

	it('searches full text', async () => {
		const found = json(
			await run({ resource: 'library', operation: 'search', query: 'Caption number 117', returnAll: false, limit: 5 }),
		);
		expect(found[0]?.slug).toBe('bulk/117');
	});

	it('turns a 401 into a message that says to check the API key', async () => {
		const error = await errorOf(
			run({ resource: 'library', operation: 'search', returnAll: false, limit: 1 }, { apiKey: 'tp_wrong' }),
		);
		expect(error.httpCode).toBe('401');
		expect(error.message).toMatch(/check the API key in the TiltedPrompts credential/);
	});

	it('shows each invalid field of a 422, and under Continue On Fail outputs it per item', async () => {
		const params = {
			resource: 'library',
			operation: 'create',
			title: 'x',
			type: 'caption',
			content: '{}',
			additionalFields: { slug: 'Not A Slug!' },
		};
		const error = await errorOf(run(params));
		expect(error.httpCode).toBe('422');
		expect(error.description).toMatch(/^• slug: /m);

		const [item] = json(await run(params, { continueOnFail: true }));
		expect(item.error).toMatchObject({ http_status: 422, code: 'validation_failed' });
		expect((item.error as IDataObject).fields).toEqual(
			expect.arrayContaining([expect.objectContaining({ field: 'slug' })]),
		);
	});
});

describe('Bundle → Ingest', () => {
	const asset = (n: number) => ({
		slug: `bundle/a${n}`,
		type: 'prompt',
		title: `Prompt ${n}`,
		content: { text: `Prompt body ${n}` },
		tags: 'bundle, test',
	});

	it('signs the assets of the input items as one bundle and the service stores them', async () => {
		const output = await run(
			{
				resource: 'bundle',
				operation: 'ingest',
				source: 'items',
				bundleId: 'bundle-1',
				options: { messageId: 'msg_bundle_one' },
			},
			{ items: [asset(1), asset(2), asset(3)] },
		);
		expect(output).toHaveLength(1);
		expect(output[0].json).toMatchObject({ bundle_id: 'bundle-1', created: 3, updated: 0 });
		expect(output[0].pairedItem).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		const { rows } = await service.db.pool.query(
			`SELECT slug, tags FROM library_assets WHERE slug LIKE 'bundle/%' ORDER BY slug`,
		);
		expect(rows).toEqual([
			{ slug: 'bundle/a1', tags: ['bundle', 'test'] },
			{ slug: 'bundle/a2', tags: ['bundle', 'test'] },
			{ slug: 'bundle/a3', tags: ['bundle', 'test'] },
		]);

		// The same message id again: the service answers with the first result and writes nothing.
		const again = await run(
			{
				resource: 'bundle',
				operation: 'ingest',
				source: 'items',
				bundleId: 'bundle-1',
				options: { messageId: 'msg_bundle_one' },
			},
			{ items: [asset(1), asset(2), asset(3)] },
		);
		expect(again[0].json).toMatchObject({ created: 3, updated: 0 });
	});

	it('lists the invalid fields of a rejected bundle, per field', async () => {
		const error = await errorOf(
			run(
				{ resource: 'bundle', operation: 'ingest', source: 'items', bundleId: 'bundle-bad' },
				{ items: [asset(4), { slug: 'bundle/x', type: 'poem', content: 'x' }] },
			),
		);
		expect(error.httpCode).toBe('422');
		const lines = (error.description ?? '').split('\n');
		expect(lines).toEqual(
			expect.arrayContaining([
				expect.stringMatching(/^• assets\[1\]\.type: /),
				expect.stringMatching(/^• assets\[1\]\.title: /),
			]),
		);
	});

	it('is refused with a clear message when signed with a secret the service does not know', async () => {
		const error = await errorOf(
			run(
				{
					resource: 'bundle',
					operation: 'ingest',
					source: 'json',
					bundle: JSON.stringify({ bundle_id: 'b', assets: [asset(5)] }),
				},
				{ signingSecret: `whsec_${Buffer.alloc(32, 1).toString('base64')}` },
			),
		);
		expect(error.httpCode).toBe('401');
		expect(error.message).toContain('no_matching_signature');
	});

	it('asks for the signing secret when the credential has none', async () => {
		const error = await errorOf(
			run(
				{ resource: 'bundle', operation: 'ingest', source: 'items', bundleId: 'b' },
				{ items: [asset(6)], signingSecret: '' },
			),
		);
		expect(error.message).toMatch(/No bundle signing secret in the TiltedPrompts credential/);
	});
});

describe('429: waits for Retry-After and retries', () => {
	let server: Server;
	let url: string;
	const seen: Array<{ at: number; signature?: string; timestamp?: string; id?: string }> = [];
	let answers: Array<{ status: number; headers?: Record<string, string>; body: unknown }> = [];

	beforeAll(async () => {
		server = createServer((req, res) => {
			seen.push({
				at: Date.now(),
				id: req.headers['webhook-id'] as string,
				signature: req.headers['webhook-signature'] as string,
				timestamp: req.headers['webhook-timestamp'] as string,
			});
			req.resume();
			const answer = answers.shift() ?? {
				status: 500,
				body: { error: { code: 'script_exhausted', message: 'no answer scripted' } },
			};
			res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
			res.end(JSON.stringify(answer.body));
		}).listen(0, '127.0.0.1');
		await new Promise((resolve) => server.once('listening', resolve));
		url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});
	afterAll(() => new Promise((resolve) => server.close(resolve)));

	it('retries a 429 after the advised wait, with the same webhook-id, and returns the result', async () => {
		seen.length = 0;
		answers = [
			{ status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'rate_limited', message: 'slow down' } } },
			{ status: 200, body: { bundle_id: 'b', created: 1, updated: 0 } },
		];
		const output = await run(
			{ resource: 'bundle', operation: 'ingest', source: 'items', bundleId: 'b' },
			{ items: [asset429()], baseUrl: url },
		);
		expect(output[0].json).toMatchObject({ created: 1 });
		expect(seen).toHaveLength(2);
		expect(seen[1].id).toBe(seen[0].id);
		expect(seen[1].at - seen[0].at).toBeGreaterThanOrEqual(1000);
	});

	it('gives up when the service asks for a wait longer than the node accepts, and says so', async () => {
		seen.length = 0;
		answers = [
			{
				status: 429,
				headers: { 'retry-after': '3600' },
				body: { error: { code: 'rate_limited', message: 'More than 10 bundles per minute' } },
			},
		];
		const error = await errorOf(
			run(
				{ resource: 'bundle', operation: 'ingest', source: 'items', bundleId: 'b' },
				{ items: [asset429()], baseUrl: url },
			),
		);
		expect(seen).toHaveLength(1);
		expect(error.message).toMatch(
			/429 \(rate_limited\): More than 10 bundles per minute — the service limits how often/,
		);
	});

	function asset429() {
		return { slug: 'a', type: 'prompt', title: 'A', content: 'a' };
	}
});

describe('Contacts', () => {
	it('upserts, imports from items, lists by tag and consent, opts out and erases', async () => {
		const [created] = json(
			await run({
				resource: 'contact',
				operation: 'upsert',
				waId: '+91 98765 43210',
				fields: { name: 'Asha', tags: 'customer, vip', consent: 'opted_in', consent_note: 'shop counter' },
			}),
		);
		expect(created).toMatchObject({
			wa_id: '919876543210',
			name: 'Asha',
			consent: 'opted_in',
			tags: ['customer', 'vip'],
		});

		const imported = json(
			await run(
				{
					resource: 'contact',
					operation: 'import',
					importWaId: (i: number) => ['919800000001', '919800000002', '12'][i],
					fields: (i: number) => ({
						name: `Imported ${i}`,
						tags: 'customer',
						consent: i === 1 ? 'opted_out' : 'opted_in',
					}),
				},
				{ items: [{}, {}, {}] },
			),
		);
		expect(imported).toHaveLength(1);
		expect(imported[0]).toMatchObject({ created: 2, rejected: [expect.objectContaining({ index: 2, wa_id: '12' })] });

		const optedIn = json(
			await run({
				resource: 'contact',
				operation: 'getMany',
				returnAll: true,
				filters: { tag: 'customer', consent: 'opted_in' },
			}),
		);
		expect(optedIn.map((c) => c.wa_id).sort()).toEqual(['919800000001', '919876543210']);

		const [out] = json(
			await run({
				resource: 'contact',
				operation: 'optOut',
				waId: '919876543210',
				consentOptions: { note: 'asked in shop' },
			}),
		);
		expect(out.consent).toBe('opted_out');
		const [detail] = json(await run({ resource: 'contact', operation: 'get', waId: '919876543210' }));
		expect((detail.consent_history as IDataObject[]).map((h) => h.consent)).toEqual(
			expect.arrayContaining(['opted_in', 'opted_out']),
		);

		expect(json(await run({ resource: 'contact', operation: 'erase', waId: '919876543210' }))).toEqual([
			{ wa_id: '919876543210', erased: true },
		]);
		const { rows } = await service.db.pool.query(
			`SELECT count(*)::int AS n FROM contacts WHERE wa_id = '919876543210'`,
		);
		expect(rows[0].n).toBe(0);
	});

	it('rejects a national-format number with the reason', async () => {
		const error = await errorOf(run({ resource: 'contact', operation: 'upsert', waId: '09876543210', fields: {} }));
		expect(error.httpCode).toBe('422');
		expect(`${error.message}\n${error.description}`).toMatch(/country code/);
	});
});

describe('Campaigns', () => {
	it('creates, claims, records the WhatsApp node’s results and reports them', async () => {
		await run(
			{
				resource: 'contact',
				operation: 'import',
				importWaId: (i: number) => ['919811111111', '919822222222', '919833333333'][i],
				fields: (i: number) => ({ tags: 'launch', consent: i === 2 ? 'unknown' : 'opted_in' }),
			},
			{ items: [{}, {}, {}] },
		);
		const campaignParams = {
			resource: 'campaign',
			operation: 'create',
			name: 'Launch',
			templateName: 'new_post_alert',
			templateLanguage: 'en',
			audienceTags: 'launch',
			additionalFields: { parameters: '{{name}}, 20% off', idempotency_key: 'post-1' },
		};
		const [campaign] = json(await run(campaignParams));
		expect(campaign).toMatchObject({ name: 'Launch', total: 2, template: { name: 'new_post_alert', language: 'en' } });
		const [again] = json(await run(campaignParams));
		expect(again.id).toBe(campaign.id);

		const claimed = json(
			await run({ resource: 'campaign', operation: 'claim', campaignId: campaign.id, batchSize: 10 }),
		);
		expect(claimed.map((r) => r.wa_id).sort()).toEqual(['919811111111', '919822222222']);
		expect(claimed.every((r) => r.campaign_id === campaign.id)).toBe(true);
		expect(
			json(await run({ resource: 'campaign', operation: 'claim', campaignId: campaign.id, batchSize: 10 })),
		).toEqual([]);

		// What the WhatsApp node outputs: a send response, and an error under Continue On Fail.
		const whatsappOutput = [
			{
				messaging_product: 'whatsapp',
				contacts: [{ input: claimed[0].wa_id, wa_id: claimed[0].wa_id }],
				messages: [{ id: 'wamid.OK1' }],
			},
			{
				error: {
					message: 'WhatsApp error 131026: message undeliverable',
					code: 131026,
					details: 'Receiver is incapable of receiving this message',
					fbtrace_id: 'FB1',
				},
			},
		];
		const recorded = json(
			await run(
				{
					resource: 'campaign',
					operation: 'recordResults',
					campaignId: campaign.id,
					recipientWaId: (i: number) => claimed[i].wa_id,
				},
				{ items: whatsappOutput },
			),
		);
		expect(recorded).toEqual([
			expect.objectContaining({ wa_id: claimed[0].wa_id, wamid: 'wamid.OK1', recorded: true, state: 'sent' }),
			expect.objectContaining({ wa_id: claimed[1].wa_id, recorded: true, state: 'failed' }),
		]);

		// A WhatsApp node that stopped the run (n8n passed its input through): nothing to record, and the
		// workflow must stop instead of claiming more recipients.
		const stopped = await errorOf(
			run(
				{
					resource: 'campaign',
					operation: 'recordResults',
					campaignId: campaign.id,
					recipientWaId: (i: number) => claimed[i].wa_id,
				},
				{ items: [{ wa_id: claimed[0].wa_id, campaign_id: campaign.id }] },
			),
		);
		expect(stopped.message).toMatch(
			/1 of 1 items hold neither a message ID \(wamid\) nor an error: the WhatsApp node did not send them/,
		);

		const [report] = json(await run({ resource: 'campaign', operation: 'getReport', campaignId: campaign.id }));
		expect(report.counts).toMatchObject({ sent: 1, failed: 1, pending: 0 });
		expect(report.failures).toEqual([expect.objectContaining({ code: 131026, count: 1 })]);
		expect(report).toMatchObject({
			status: 'completed',
			summary: 'Sent to 1 of 2 customers · 1 failed (1 not on WhatsApp (Meta error 131026))',
		});
	});

	/** A campaign of the restock template to the tag, and its first claimed batch. */
	const createAndClaim = async (name: string, audienceTags: string) => {
		const [campaign] = json(
			await run({
				resource: 'campaign',
				operation: 'create',
				name,
				templateName: 'restock',
				templateLanguage: 'en',
				audienceTags,
			}),
		);
		const claimed = json(
			await run({ resource: 'campaign', operation: 'claim', campaignId: campaign.id, batchSize: 10 }),
		);
		return { campaign, claimed };
	};

	it('gives back recipients the WhatsApp node did not send and stops the campaign with the reason', async () => {
		const { campaign, claimed } = await createAndClaim('Restock', 'launch');
		expect(claimed).toHaveLength(2);
		const refused = {
			sent: false,
			error: {
				message: 'Template restock (en) has a IMAGE header: set Header Parameter to Image',
				description: null,
				code: null,
			},
		};
		const recorded = json(
			await run(
				{
					resource: 'campaign',
					operation: 'recordResults',
					campaignId: campaign.id,
					recipientWaId: (i: number) => claimed[i].wa_id,
				},
				{ items: [refused, refused] },
			),
		);
		expect(recorded.map((r) => [r.recorded, r.reason])).toEqual([
			[false, 'not_sent'],
			[false, 'not_sent'],
		]);
		expect(
			json(await run({ resource: 'campaign', operation: 'claim', campaignId: campaign.id, batchSize: 10 })),
		).toEqual([]);
		const [report] = json(await run({ resource: 'campaign', operation: 'getReport', campaignId: campaign.id }));
		expect(report).toMatchObject({
			status: 'failed',
			summary: 'Nothing was sent: Template restock (en) has a IMAGE header: set Header Parameter to Image',
			counts: { claimed: 0, pending: 2 },
		});
	});

	it('gives back a recipient known only by their BSUID the same way, and sends them once on resume', async () => {
		const user = 'IN.1648738043044942';
		await run({
			resource: 'contact',
			operation: 'upsert',
			waId: user,
			fields: { tags: 'bsuid-launch', consent: 'opted_in' },
		});
		await run({
			resource: 'contact',
			operation: 'upsert',
			waId: '919844444444',
			fields: { tags: 'bsuid-launch', consent: 'opted_in' },
		});
		const [campaign] = json(
			await run({
				resource: 'campaign',
				operation: 'create',
				name: 'BSUID restock',
				templateName: 'restock',
				templateLanguage: 'en',
				audienceTags: 'bsuid-launch',
			}),
		);
		const claimed = json(
			await run({ resource: 'campaign', operation: 'claim', campaignId: campaign.id, batchSize: 10 }),
		);
		expect(claimed).toHaveLength(2);
		expect(claimed.map((r) => [r.to, r.recipient])).toEqual(
			expect.arrayContaining([
				['919844444444', null],
				[null, user],
			]),
		);
		const refused = {
			sent: false,
			error: { message: 'Template restock (en) is paused', description: null, code: null },
		};
		// Recipient WhatsApp ID as its default reads it: the phone number, else the BSUID.
		const recipientWaId = (i: number) => claimed[i].wa_id ?? claimed[i].user_id;
		const recorded = json(
			await run(
				{ resource: 'campaign', operation: 'recordResults', campaignId: campaign.id, recipientWaId },
				{ items: claimed.map(() => refused) },
			),
		);
		expect(recorded.map((r) => [r.wa_id, r.reason])).toEqual(claimed.map((c) => [c.to ?? c.recipient, 'not_sent']));
		const [stopped] = json(await run({ resource: 'campaign', operation: 'getReport', campaignId: campaign.id }));
		expect(stopped).toMatchObject({ status: 'failed', counts: { claimed: 0, pending: 2 } });
		await run({ resource: 'campaign', operation: 'resume', campaignId: campaign.id });
		const again = json(await run({ resource: 'campaign', operation: 'claim', campaignId: campaign.id, batchSize: 10 }));
		expect(again.map((r) => r.to ?? r.recipient).sort()).toEqual(['919844444444', user].sort());
	});

	it('on a refused access token, records what was sent, gives the rest back and stops the workflow saying what to do', async () => {
		const numbers = ['919855555551', '919855555552', '919855555553'];
		for (const waId of numbers)
			await run({ resource: 'contact', operation: 'upsert', waId, fields: { tags: 'token-run', consent: 'opted_in' } });
		const { campaign, claimed } = await createAndClaim('Token run', 'token-run');
		expect(claimed).toHaveLength(3);
		const items = [
			{ wamid: 'wamid.token-run-1' },
			{ sent: false, error: { code: 190, message: 'WhatsApp error 190: access token expired or invalid' } },
			{ sent: false, error: { code: null, message: 'Not sent: the run stopped before this message' } },
		];
		const error = await run(
			{
				resource: 'campaign',
				operation: 'recordResults',
				campaignId: campaign.id,
				recipientWaId: (i: number) => claimed[i].wa_id,
			},
			{ items },
		).catch((e) => e);
		expect(error.message).toBe(
			'WhatsApp refused the access token: 1 of 3 messages were sent (recorded); the 2 not sent go back to the campaign',
		);
		expect(error.description).toMatch(/^WhatsApp error 190: access token expired or invalid\nRenew the access token/);
		const [report] = json(await run({ resource: 'campaign', operation: 'getReport', campaignId: campaign.id }));
		expect(report).toMatchObject({ status: 'running', counts: { claimed: 0, pending: 2, sent: 1 } });
		const again = json(await run({ resource: 'campaign', operation: 'claim', campaignId: campaign.id, batchSize: 10 }));
		expect(again.map((r) => r.wa_id).sort()).toEqual([claimed[1].wa_id, claimed[2].wa_id].sort());
	});
});

describe('Campaign controls from the node', () => {
	it('schedules, pauses, resumes and cancels a campaign, each answer saying the status in plain words', async () => {
		const at = new Date(Date.now() + 3_600_000);
		const [campaign] = json(
			await run({
				resource: 'campaign',
				operation: 'create',
				name: 'Later',
				templateName: 'restock',
				templateLanguage: 'en',
				audienceTags: 'launch',
				additionalFields: { scheduled_at: at.toISOString() },
			}),
		);
		expect(campaign).toMatchObject({
			status: 'scheduled',
			scheduled_at: at.toISOString(),
			report_url: expect.stringMatching(/\/reports\/[0-9a-f]{64}$/),
		});
		expect(
			json(await run({ resource: 'campaign', operation: 'claim', campaignId: campaign.id, batchSize: 10 })),
		).toEqual([]);
		const [paused] = json(await run({ resource: 'campaign', operation: 'pause', campaignId: campaign.id }));
		expect(paused.status).toBe('paused');
		const [resumed] = json(await run({ resource: 'campaign', operation: 'resume', campaignId: campaign.id }));
		expect(resumed.status).toBe('scheduled');
		const [cancelled] = json(await run({ resource: 'campaign', operation: 'cancel', campaignId: campaign.id }));
		expect(cancelled).toMatchObject({ status: 'cancelled', summary: 'Nothing was sent: cancelled by staff' });
		const again = await errorOf(run({ resource: 'campaign', operation: 'resume', campaignId: campaign.id }));
		expect(again.message).toMatch(/The campaign is cancelled; it cannot be resumed/);
	});

	it('refuses a Start At that is not a date, naming the field', async () => {
		const error = await errorOf(
			run({
				resource: 'campaign',
				operation: 'create',
				name: 'Bad',
				templateName: 'restock',
				templateLanguage: 'en',
				audienceTags: 'launch',
				additionalFields: { scheduled_at: 'next friday' },
			}),
		);
		expect(error.message).toBe('Start At: expected a date and time, received "next friday"');
	});
});

describe('Service', () => {
	it('gets the health of the service', async () => {
		expect(json(await run({ resource: 'service', operation: 'getHealth' }))).toEqual([
			{ status: 'ok', service: 'tiltedprompts', version: 'test' },
		]);
	});

	it('says where it tried to connect when the service is down', async () => {
		const error = await errorOf(
			run({ resource: 'service', operation: 'getHealth' }, { baseUrl: 'http://127.0.0.1:1' }),
		);
		expect(error.message).toMatch(/Could not reach the TiltedPrompts service at http:\/\/127\.0\.0\.1:1/);
	});
});
