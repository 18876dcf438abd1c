// Bundle → Ingest against the real service's own rate limit (1 bundle per minute per signing key
// here): the second bundle gets the service's 429, the node waits for its Retry-After and succeeds.
import type { INodeExecutionData } from 'n8n-workflow';
import { TiltedPrompts } from '../../../nodes/TiltedPrompts/TiltedPrompts.node';
import { TiltedPromptsApi } from '../../../credentials/TiltedPromptsApi.credentials';
import { runNode, type HttpCall } from '../../helpers/n8n';
import { startRealService, type RunningService } from './support/service';

jest.setTimeout(180_000);

let service: RunningService;
const node = new TiltedPrompts();

beforeAll(async () => {
	service = await startRealService({ ratePerMinute: 1 });
});
afterAll(async () => {
	await service?.close();
});

async function ingest(slug: string, httpLog: HttpCall[]): Promise<INodeExecutionData[]> {
	const { output, calls } = await runNode({
		nodeType: node,
		params: { resource: 'bundle', operation: 'ingest', source: 'items', bundleId: `rate-${slug}` },
		items: [{ slug, type: 'prompt', title: slug, content: 'x' }],
		credentials: {
			tiltedPromptsApi: { baseUrl: service.url, apiKey: service.proKey, signingSecret: service.signingSecret },
		},
		credentialTypes: [new TiltedPromptsApi()],
	});
	httpLog.push(...calls);
	return output;
}

it('waits out the service’s 429 and then delivers the bundle', async () => {
	const log: HttpCall[] = [];
	expect((await ingest('first', log))[0].json).toMatchObject({ created: 1 });
	expect((await ingest('second', log))[0].json).toMatchObject({ bundle_id: 'rate-second', created: 1 });
	expect(log.map((call) => call.status)).toEqual([expect.any(Number), 429, expect.any(Number)]);
	expect(log[2].status).toBeLessThan(300);
	// The retry carries the same message id (the idempotency key), signed afresh.
	expect(log[2].headers['webhook-id']).toBe(log[1].headers['webhook-id']);
	const { rows } = await service.db.pool.query(
		`SELECT slug FROM library_assets WHERE slug IN ('first', 'second') ORDER BY slug`,
	);
	expect(rows).toEqual([{ slug: 'first' }, { slug: 'second' }]);
});
