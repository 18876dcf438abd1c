// n8n in queue mode (Redis + main + webhook processor + 2 workers, scripts/lib/queue-stack.js), with
// the two templates a shop relies on most: the Instagram post → WhatsApp broadcast (started by main's
// poller, run by a worker) and the consent keeper (the service's signed deliveries reach the webhook
// processor, a worker runs the workflow). The outcomes are the ones the regular-mode tests
// (templates-broadcast, templates-events) check for the same inputs: who got which WhatsApp message,
// and the consent the service keeps. Every execution was run by a worker: that worker's log says it
// started it, and main recorded a worker's id (not its own) when the job finished.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IDataObject } from 'n8n-workflow';
import {
	DEFAULT_PHONE_NUMBER_ID,
	igTimestamp,
	instagram,
	startGraphStandIn,
	whatsapp,
	type GraphStandIn,
	type InstagramState,
	type WhatsAppState,
} from '../../sandbox';
import type { QueueStack } from '../../scripts/lib/queue-stack';
import { startRealService, type RunningService } from '../unit/tiltedprompts/support/service';
import { startN8nQueue, type N8nInstance } from './harness';
import {
	consentKeeperConversation,
	NEW_POST_ALERT,
	seedAudience,
	subscriptionFor,
	templateCredentials,
	triggerLive,
	type TemplateCredentialIds,
} from './template-scenarios';

jest.setTimeout(900_000);

const TOKEN_WA = `wa-${randomBytes(8).toString('hex')}`;
const TOKEN_IG = `ig-${randomBytes(8).toString('hex')}`;
const WORKFLOWS = join(__dirname, '..', '..', 'workflows');
const CREDENTIALS: TemplateCredentialIds = {
	tiltedPromptsApi: { id: 'tpCredQueue00001', name: 'TiltedPrompts (queue e2e)' },
	whatsAppCloudApi: { id: 'waCredQueue00001', name: 'WhatsApp (queue e2e)' },
	instagramApi: { id: 'igCredQueue00001', name: 'Instagram (queue e2e)' },
};

const CUSTOMERS = Array.from({ length: 12 }, (_, i) => ({
	wa_id: `9198100${String(10000 + i)}`,
	name: `Customer ${i + 1}`,
}));
const OPTED_OUT = '919899900011';
const UNKNOWN = '919899900012';
const OTHER_TAG = '919899900013';
const USERNAME_CUSTOMER = { user_id: 'IN.1648738043044977', username: 'chai.corner', name: 'Chai Corner' };

let service: RunningService;
let graph: GraphStandIn;
let n8n: N8nInstance & { stack: QueueStack };

function wa(): WhatsAppState {
	return graph.state.whatsapp as WhatsAppState;
}

async function waitFor<T>(
	probe: () => Promise<T | undefined> | T | undefined,
	what: string,
	timeoutMs = 240_000,
): Promise<T> {
	const until = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}

/** Imports a template as shipped, wired to this file's credentials, and publishes it. */
async function publishTemplate(file: string, patch: (node: IDataObject) => void = () => undefined): Promise<string> {
	const template = JSON.parse(readFileSync(join(WORKFLOWS, file), 'utf8')) as { nodes: IDataObject[] } & IDataObject;
	for (const node of template.nodes) {
		const references = node.credentials as Record<string, unknown> | undefined;
		if (references)
			node.credentials = Object.fromEntries(
				Object.keys(references).map((type) => [type, CREDENTIALS[type as keyof TemplateCredentialIds]]),
			);
		patch(node);
	}
	const id = await n8n.importWorkflow({ ...template, id: randomBytes(8).toString('hex') });
	const workflow = await n8n.rest<{ data: { versionId: string } }>('GET', `/rest/workflows/${id}`);
	await n8n.rest('POST', `/rest/workflows/${id}/activate`, { versionId: workflow.data.versionId });
	return id;
}

interface ExecutionSummary {
	id: string;
	status: string;
	mode: string;
}

async function executionsOf(workflowId: string): Promise<ExecutionSummary[]> {
	const list = await n8n.rest<{ data: { results?: ExecutionSummary[] } }>(
		'GET',
		`/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}&limit=100`,
	);
	return list.data.results ?? [];
}

/** Each execution finished, was started by one of the stack's workers, and main recorded a worker's id for it. */
async function expectRunByWorkers(workflowId: string, atLeast: number): Promise<void> {
	const executions = await waitFor(async () => {
		const list = await executionsOf(workflowId);
		const done = list.filter((e) => e.status !== 'running' && e.status !== 'new');
		return done.length >= atLeast && done.every((e) => n8n.stack.main.finishedBy(e.id)) ? done : undefined;
	}, `${atLeast} finished execution(s) of ${workflowId}`);
	for (const execution of executions) {
		expect({ id: execution.id, status: execution.status }).toEqual({ id: execution.id, status: 'success' });
		const worker = n8n.stack.workerOf(execution.id);
		expect(worker?.kind).toBe('worker');
		expect(n8n.stack.main.finishedBy(execution.id)).toMatch(/^worker-/);
	}
}

beforeAll(async () => {
	service = await startRealService();
	graph = await startGraphStandIn({
		latencyMs: 50,
		validTokens: [TOKEN_WA, TOKEN_IG],
		modules: [whatsapp({ templates: [NEW_POST_ALERT] }), instagram()],
	});
	// JSON logs: main's "Execution <id> (job <job>) finished" line then carries the worker's id.
	n8n = await startN8nQueue({ workers: 2, extraEnv: { N8N_LOG_FORMAT: 'json' } });
	await n8n.importCredentials(
		templateCredentials(CREDENTIALS, {
			serviceUrl: service.url,
			apiKey: service.proKey,
			signingSecret: service.signingSecret,
			graphUrl: graph.url,
			whatsAppToken: TOKEN_WA,
			instagramToken: TOKEN_IG,
		}),
	);
});

afterAll(async () => {
	await n8n?.stop();
	await graph?.close();
	await service?.close();
});

describe('n8n queue mode: main, a webhook processor and two workers on Redis', () => {
	it('starts each process with the queue profile’s settings and its own ports', () => {
		const { main, webhook, workers, redis } = n8n.stack;
		expect(workers).toHaveLength(2);
		const all = [main, webhook, ...workers];
		for (const proc of all) {
			expect(proc.env).toMatchObject({
				EXECUTIONS_MODE: 'queue',
				QUEUE_BULL_REDIS_HOST: redis.host,
				QUEUE_BULL_REDIS_PORT: String(redis.port),
				QUEUE_BULL_REDIS_PASSWORD: redis.password,
				N8N_WEBHOOK_URL: `${webhook.url}/`,
			});
		}
		const ports = all.flatMap((p) => [p.env.N8N_PORT, p.env.N8N_RUNNERS_BROKER_PORT]);
		expect(new Set(ports).size).toBe(ports.length);
		expect(new Set(workers.map((w) => w.env.QUEUE_HEALTH_CHECK_PORT)).size).toBe(2);
	});
});

describe('template 1 in queue mode: Instagram post → WhatsApp broadcast', () => {
	it('a worker sends the new post to the opted-in customers only (the username customer by BSUID), once each', async () => {
		await seedAudience(service, {
			customers: CUSTOMERS,
			optedOut: OPTED_OUT,
			unknown: UNKNOWN,
			otherTag: OTHER_TAG,
			usernameCustomer: USERNAME_CUSTOMER,
		});

		const ig = graph.state.instagram as InstagramState;
		const post = ig.addMedia({
			caption: 'Monsoon special:\nmasala chai,   ginger chai\tand pakoras — all week!',
			timestamp: igTimestamp(Date.now() - 60_000),
		});
		const id = await publishTemplate('instagram-post-to-whatsapp-broadcast.json', (node) => {
			const parameters = node.parameters as IDataObject;
			if (node.type === 'n8n-nodes-tiltedprompts.whatsApp')
				parameters.phoneNumberId = { __rl: true, mode: 'id', value: DEFAULT_PHONE_NUMBER_ID };
			if (node.type === 'n8n-nodes-tiltedprompts.instagramTrigger')
				parameters.backfillFrom = new Date(Date.now() - 3_600_000).toISOString();
		});

		const campaignId = await waitFor(async () => {
			const { rows } = await service.db.pool.query<{ id: string }>('SELECT id FROM campaigns');
			return rows[0]?.id;
		}, 'the campaign');
		const report = await waitFor(async () => {
			const res = await fetch(`${service.url}/api/v1/campaigns/${campaignId}`, {
				headers: { authorization: `Bearer ${service.proKey}` },
			});
			const body = (await res.json()) as IDataObject;
			const counts = body.counts as Record<string, number>;
			return counts.pending === 0 && counts.claimed === 0 ? body : undefined;
		}, 'every recipient to be sent or skipped');
		await expectRunByWorkers(id, 1);
		await n8n.rest('POST', `/rest/workflows/${id}/deactivate`, {});

		// The same recipients, endpoint and message as in regular mode (templates-broadcast.test.ts).
		const recipients = wa().messages.map((m) => m.to);
		expect([...recipients].sort()).toEqual([...CUSTOMERS.map((c) => c.wa_id), USERNAME_CUSTOMER.user_id].sort());
		expect(wa().messages.every((m) => m.endpoint === 'marketing_messages')).toBe(true);
		const toUsername = wa().messages.find((m) => m.to === USERNAME_CUSTOMER.user_id)!;
		expect(toUsername.body).toMatchObject({ recipient: USERNAME_CUSTOMER.user_id });
		expect(toUsername.body.to).toBeUndefined();
		expect(report).toMatchObject({ total: 13, skipped: { at_snapshot: { opted_out: 1, consent_unknown: 1 } } });
		expect((report.counts as Record<string, number>).sent).toBe(13);

		const toFirst = wa().messages.find((m) => m.to === CUSTOMERS[0].wa_id)!;
		const template = toFirst.body.template as { name: string; components: IDataObject[] };
		expect(template.name).toBe('new_post_alert');
		expect(template.components).toEqual([
			{ type: 'header', parameters: [{ type: 'image', image: { link: post.media_url } }] },
			{
				type: 'body',
				parameters: [
					{ type: 'text', text: 'Customer 1' },
					{ type: 'text', text: 'Monsoon special: masala chai, ginger chai and pakoras — all week!' },
				],
			},
			{
				type: 'button',
				sub_type: 'url',
				index: '0',
				parameters: [{ type: 'text', text: post.permalink!.split('instagram.com/')[1] }],
			},
		]);
		expect(graph.invalidRequests()).toEqual([]);
	});
});

describe('template 5 in queue mode: consent keeper', () => {
	it('the webhook processor takes the service’s deliveries, a worker confirms STOP and START, consent is kept', async () => {
		const id = await publishTemplate('consent-keeper.json');
		const subscription = await subscriptionFor(service, 'whatsapp.message', waitFor);
		// The trigger registered the webhook processor's URL, and it is live there.
		expect(String(subscription.url).startsWith(`${n8n.stack.webhook.url}/webhook/`)).toBe(true);
		await triggerLive(subscription, waitFor);
		// The same conversation and outcomes as in one-process n8n (templates-events.test.ts).
		await consentKeeperConversation({ service, whatsapp: wa(), customer: '919877700011', waitFor });
		// Three messages, three executions, each run by a worker.
		await expectRunByWorkers(id, 3);
		await n8n.rest('POST', `/rest/workflows/${id}/deactivate`, {});
	});
});
