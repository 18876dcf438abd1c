// The trigger's webhook() on deliveries the service would not normally send: events the workflow
// did not choose, bodies that are not JSON, a trigger that lost its subscription.
import { randomBytes } from 'node:crypto';
import type { IDataObject } from 'n8n-workflow';
import { signHeaders } from '../../../nodes/shared/standardWebhooks';
import { TiltedPromptsTrigger } from '../../../nodes/TiltedPromptsTrigger/TiltedPromptsTrigger.node';
import { webhookContext } from '../../helpers/n8n';

const trigger = new TiltedPromptsTrigger();
const secret = `whsec_${randomBytes(32).toString('base64')}`;

async function deliver(body: string, options: { events?: string[]; staticData?: IDataObject; id?: string } = {}) {
	const staticData = options.staticData ?? { subscriptionId: 'sub-1', secret };
	const headers = signHeaders(
		[secret],
		options.id ?? `msg_${randomBytes(6).toString('hex')}`,
		Math.floor(Date.now() / 1000),
		body,
	);
	const { webhook, response } = webhookContext({
		nodeType: trigger,
		params: { events: options.events ?? ['whatsapp.message'] },
		staticData,
		headers,
		rawBody: Buffer.from(body),
	});
	const result = await trigger.webhook!.call(webhook);
	return { result, response, staticData };
}

describe('TiltedPrompts Trigger webhook()', () => {
	it('starts the workflow with the event and its webhook-id', async () => {
		const { result } = await deliver('{"type":"whatsapp.message","data":{"from":"919800000001"}}', { id: 'msg_a' });
		expect(result.workflowData?.[0].map((item) => item.json)).toEqual([
			{ type: 'whatsapp.message', data: { from: '919800000001' }, webhook_id: 'msg_a' },
		]);
	});

	it('answers 200 without starting the workflow for an event type it did not choose', async () => {
		const { result, response } = await deliver('{"type":"whatsapp.status","data":{}}');
		expect(result.workflowData).toBeUndefined();
		expect(response).toMatchObject({ status: 200, body: { received: true } });
	});

	it('takes every event when "All Events" is chosen', async () => {
		const { result } = await deliver('{"type":"instagram.mention","data":{}}', { events: ['*'] });
		expect(result.workflowData?.[0]).toHaveLength(1);
	});

	it('answers 400 to a signed body that is not JSON (e.g. sent as text/plain)', async () => {
		const { result, response } = await deliver('not json');
		expect(result.workflowData).toBeUndefined();
		expect(response).toMatchObject({ status: 400, body: { error: { code: 'invalid_json' } } });
	});

	it('answers 401 when it has no subscription secret (deactivated and not yet re-registered)', async () => {
		const { result, response } = await deliver('{"type":"whatsapp.message"}', { staticData: {} });
		expect(result.workflowData).toBeUndefined();
		expect(response).toMatchObject({ status: 401, body: { error: { code: 'not_subscribed' } } });
	});
});

describe('TiltedPrompts Trigger after a signing secret rotation', () => {
	const oldSecret = `whsec_${randomBytes(32).toString('base64')}`;
	const newSecret = `whsec_${randomBytes(32).toString('base64')}`;
	const body = '{"type":"whatsapp.message","data":{}}';

	async function receive(staticData: IDataObject, signers: string[], rotatedSecret: string) {
		const headers = signHeaders(signers, `msg_${randomBytes(6).toString('hex')}`, Math.floor(Date.now() / 1000), body);
		const { webhook, response } = webhookContext({
			nodeType: trigger,
			params: { events: ['whatsapp.message'], rotatedSecret },
			staticData,
			headers,
			rawBody: Buffer.from(body),
		});
		const result = await trigger.webhook!.call(webhook);
		return { started: result.workflowData?.[0].length === 1, response };
	}

	it('accepts either secret during the overlap, then only the new one once it has been used', async () => {
		const staticData: IDataObject = { subscriptionId: 'sub-1', secret: oldSecret };
		// Pasted, but the service still signs with the old secret only (rotation not yet done there).
		expect((await receive(staticData, [oldSecret], newSecret)).started).toBe(true);
		expect(staticData.secret).toBe(oldSecret);
		// During the overlap the service signs with both; the new secret becomes the trigger's own.
		expect((await receive(staticData, [newSecret, oldSecret], newSecret)).started).toBe(true);
		expect(staticData.secret).toBe(newSecret);
		// After the overlap: the new secret alone, with the field still filled or cleared.
		expect((await receive(staticData, [newSecret], newSecret)).started).toBe(true);
		expect((await receive(staticData, [newSecret], '')).started).toBe(true);
		const stale = await receive(staticData, [oldSecret], newSecret);
		expect(stale.started).toBe(false);
		expect(stale.response).toMatchObject({ status: 401, body: { error: { code: 'no_matching_signature' } } });
	});

	it('without the pasted secret, deliveries signed only with the new secret are refused', async () => {
		const { started, response } = await receive({ subscriptionId: 'sub-1', secret: oldSecret }, [newSecret], '');
		expect(started).toBe(false);
		expect(response).toMatchObject({ status: 401, body: { error: { code: 'no_matching_signature' } } });
	});

	it('names the field when the pasted secret is not a whsec_ secret', async () => {
		const { started, response } = await receive(
			{ subscriptionId: 'sub-1', secret: oldSecret },
			[oldSecret],
			'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
		);
		expect(started).toBe(false);
		expect(response).toMatchObject({
			status: 401,
			body: { error: { code: 'invalid_secret', message: expect.stringContaining('Rotated Signing Secret') } },
		});
	});
});
