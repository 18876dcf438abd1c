// Receives the events the TiltedPrompts service forwards (Standard Webhooks signed). On activation it
// registers its own subscription with the service, so several workflows can each have one; it
// verifies every delivery over the raw body bytes and answers 401 to anything not signed with its
// secret; it drops redeliveries of a webhook-id it has already started a workflow for.
// Secret rotation: after POST /api/v1/subscriptions/{id}/rotate-secret in the service, the user pastes
// the new secret into "Rotated Signing Secret"; during the overlap the service signs with both, so
// deliveries verify with either, and the first one signed with the new secret makes it the trigger's
// own (the old one is then no longer needed).
import {
	NodeApiError,
	NodeConnectionTypes,
	type IDataObject,
	type IHookFunctions,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
	type JsonObject,
} from 'n8n-workflow';
import { decodeSecret, verify, WebhookVerificationError } from '../shared/standardWebhooks';
import { serviceRequest, serviceRequestList } from '../TiltedPrompts/shared/transport';
import { EVENT_TYPE_OPTIONS, rememberWebhookId, type TriggerStaticData } from './shared/state';

export class TiltedPromptsTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'TiltedPrompts Trigger',
		name: 'tiltedPromptsTrigger',
		icon: { light: 'file:../TiltedPrompts/tiltedprompts.svg', dark: 'file:../TiltedPrompts/tiltedprompts.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["events"].join(", ")}}',
		description:
			'Starts the workflow on events the TiltedPrompts service forwards: WhatsApp messages and statuses, Instagram comments and mentions, bundles, consent changes',
		defaults: { name: 'TiltedPrompts Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'tiltedPromptsApi', required: true }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: 'webhook',
			},
		],
		properties: [
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				default: [],
				options: EVENT_TYPE_OPTIONS,
				description: 'The events that start this workflow',
			},
			{
				displayName: 'Rotated Signing Secret',
				name: 'rotatedSecret',
				type: 'string',
				typeOptions: { password: true },
				default: '',
				placeholder: 'whsec_…',
				description:
					"Only after rotating this trigger's subscription secret in the TiltedPrompts service (POST /api/v1/subscriptions/{ID}/rotate-secret; GET /api/v1/subscriptions lists the subscription, its description names this workflow and node): paste the new secret here. The old secret keeps working until the overlap you chose ends.",
			},
		],
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				const staticData = this.getWorkflowStaticData('node') as TriggerStaticData;
				if (!staticData.subscriptionId || !staticData.secret) return false;
				const url = this.getNodeWebhookUrl('default') as string;
				const events = [...(this.getNodeParameter('events') as string[])].sort();
				const subscriptions = await serviceRequestList.call(this, '/subscriptions', {}, { returnAll: true });
				const mine = subscriptions.find((subscription) => subscription.id === staticData.subscriptionId);
				if (!mine) {
					delete staticData.subscriptionId;
					delete staticData.secret;
					return false;
				}
				const sameEvents =
					JSON.stringify([...((mine.event_types as string[]) ?? [])].sort()) === JSON.stringify(events);
				if (mine.url === url && sameEvents) return true;
				// The URL or the chosen events changed: replace the subscription.
				await serviceRequest.call(this, {
					method: 'DELETE',
					path: `/subscriptions/${encodeURIComponent(String(mine.id))}`,
				});
				delete staticData.subscriptionId;
				delete staticData.secret;
				return false;
			},

			async create(this: IHookFunctions): Promise<boolean> {
				const url = this.getNodeWebhookUrl('default') as string;
				const events = this.getNodeParameter('events') as string[];
				if (events.length === 0) {
					throw new NodeApiError(this.getNode(), {} as JsonObject, {
						message: 'Choose at least one event — the trigger subscribes only to the events you pick',
					});
				}
				const workflow = this.getWorkflow();
				const created = await serviceRequest.call(this, {
					method: 'POST',
					path: '/subscriptions',
					body: {
						url,
						event_types: events,
						description:
							`n8n workflow "${workflow.name ?? workflow.id}" (${workflow.id}), node "${this.getNode().name}"`.slice(
								0,
								500,
							),
					},
				});
				if (typeof created.id !== 'string' || typeof created.secret !== 'string') {
					throw new NodeApiError(this.getNode(), created as JsonObject, {
						message:
							'The service created the subscription but sent no id or signing secret — update the TiltedPrompts service',
					});
				}
				const staticData = this.getWorkflowStaticData('node') as TriggerStaticData;
				staticData.subscriptionId = created.id;
				staticData.secret = created.secret;
				staticData.seen = [];
				return true;
			},

			async delete(this: IHookFunctions): Promise<boolean> {
				const staticData = this.getWorkflowStaticData('node') as TriggerStaticData;
				if (staticData.subscriptionId) {
					try {
						await serviceRequest.call(this, {
							method: 'DELETE',
							path: `/subscriptions/${encodeURIComponent(staticData.subscriptionId)}`,
						});
					} catch (error) {
						// Already gone on the service: nothing left to remove.
						if ((error as NodeApiError).httpCode !== '404') return false;
					}
				}
				delete staticData.subscriptionId;
				delete staticData.secret;
				delete staticData.seen;
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const req = this.getRequestObject() as ReturnType<IWebhookFunctions['getRequestObject']> & {
			rawBody?: Buffer;
			readRawBody?: () => Promise<void>;
		};
		const res = this.getResponseObject();
		const reject = (status: number, code: string, message: string): IWebhookResponseData => {
			res.status(status).json({ error: { code, message } });
			return { noWebhookResponse: true };
		};

		const staticData = this.getWorkflowStaticData('node') as TriggerStaticData;
		if (!staticData.secret) {
			return reject(
				401,
				'not_subscribed',
				'This trigger has no subscription secret: deactivate and activate the workflow again',
			);
		}
		if (!req.rawBody && req.readRawBody) await req.readRawBody();
		const raw = req.rawBody;
		if (!raw) return reject(400, 'no_body', 'The request has no body');

		const rotated = String(this.getNodeParameter('rotatedSecret', '') ?? '').trim();
		if (rotated) {
			try {
				decodeSecret(rotated);
			} catch (error) {
				return reject(401, 'invalid_secret', `Rotated Signing Secret: ${(error as Error).message}`);
			}
		}
		const secrets = rotated && rotated !== staticData.secret ? [rotated, staticData.secret] : [staticData.secret];
		let webhookId: string;
		try {
			const verified = verify(raw, req.headers, secrets);
			webhookId = verified.id;
			// Signed with the rotated secret: it becomes the subscription secret the trigger keeps.
			if (secrets.length === 2 && verified.secretIndex === 0) staticData.secret = rotated;
		} catch (error) {
			const code = error instanceof WebhookVerificationError ? error.code : 'invalid_signature';
			return reject(401, code, (error as Error).message);
		}

		if (!rememberWebhookId(staticData, webhookId)) {
			res.status(200).json({ received: true, duplicate: true });
			return { noWebhookResponse: true };
		}

		let event: IDataObject;
		try {
			event = JSON.parse(raw.toString('utf8')) as IDataObject;
		} catch {
			return reject(400, 'invalid_json', 'The body is not JSON');
		}
		const events = this.getNodeParameter('events') as string[];
		if (!events.includes('*') && typeof event.type === 'string' && !events.includes(event.type)) {
			res.status(200).json({ received: true, ignored: `event type ${event.type} is not selected` });
			return { noWebhookResponse: true };
		}
		return { workflowData: [this.helpers.returnJsonArray({ ...event, webhook_id: webhookId })] };
	}
}
