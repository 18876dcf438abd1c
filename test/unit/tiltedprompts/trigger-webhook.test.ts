// The trigger's webhook() on deliveries the service would not normally send: events the workflow
// did not choose, bodies that are not JSON, a trigger that lost its subscription.
import { randomBytes } from 'node:crypto';
import type { IDataObject } from 'n8n-workflow';
import { signedHeaders } from '../../../nodes/TiltedPrompts/shared/standardWebhooks';
import { TiltedPromptsTrigger } from '../../../nodes/TiltedPromptsTrigger/TiltedPromptsTrigger.node';
import { webhookContext } from '../../helpers/n8n';

const trigger = new TiltedPromptsTrigger();
const secret = `whsec_${randomBytes(32).toString('base64')}`;

async function deliver(body: string, options: { events?: string[]; staticData?: IDataObject; id?: string } = {}) {
	const staticData = options.staticData ?? { subscriptionId: 'sub-1', secret };
	const headers = signedHeaders(secret, options.id ?? `msg_${randomBytes(6).toString('hex')}`, Math.floor(Date.now() / 1000), body);
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
		expect(result.workflowData?.[0].map((item) => item.json)).toEqual([{ type: 'whatsapp.message', data: { from: '919800000001' }, webhook_id: 'msg_a' }]);
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
