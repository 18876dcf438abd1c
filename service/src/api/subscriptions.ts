// /api/v1/subscriptions and /api/v1/deliveries: where events go, and what happened to them.
import type { Pool } from 'pg';
import type { SecretBox } from '../crypto/secret-box';
import {
	createSubscription,
	deleteSubscription,
	listDeliveries,
	listSubscriptions,
	replayDelivery,
	rotateSubscriptionSecret,
} from '../fanout/repository';
import { HttpError } from '../http/errors';
import { decodeCursor, encodeCursor, notFound, timeIdCursor, type ApiBuilder } from './route';
import {
	deliveryListQuery,
	deliverySchema,
	idParams,
	listOf,
	secretRotatedSchema,
	secretRotationBody,
	subscriptionCreateBody,
	subscriptionCreatedSchema,
	subscriptionSchema,
} from './schemas';
import { inTransaction } from './tx';

export function subscriptionRoutes(
	api: ApiBuilder,
	pool: Pool,
	box: SecretBox | undefined,
	onReplay: () => void,
): void {
	api.schema('Subscription', subscriptionSchema);
	api.schema('Delivery', deliverySchema);
	const requireBox = (): SecretBox => {
		if (!box)
			throw new HttpError(
				503,
				'encryption_not_configured',
				'ENCRYPTION_KEYS is not set: the service cannot store signing secrets.',
			);
		return box;
	};
	api.route({
		method: 'get',
		path: '/api/v1/subscriptions',
		tag: 'events',
		scope: 'events',
		summary: 'List the key user’s event subscriptions (secrets are never shown again).',
		success: { status: 200, description: 'Subscriptions.', schema: listOf(subscriptionSchema) },
		handler: async ({ principal }) => ({
			body: { data: await listSubscriptions(pool, principal.userId), next_cursor: null },
		}),
	});
	api.route({
		method: 'post',
		path: '/api/v1/subscriptions',
		tag: 'events',
		scope: 'events',
		summary: 'Subscribe a URL to event types; events are POSTed signed with Standard Webhooks headers.',
		description:
			'The response carries the whsec_ secret once; verify webhook-signature with it and deduplicate on webhook-id.',
		body: subscriptionCreateBody,
		success: { status: 201, description: 'Created, with its signing secret.', schema: subscriptionCreatedSchema },
		handler: async ({ principal, body }) => ({
			body: await createSubscription(pool, requireBox(), principal.userId, body),
		}),
	});
	rotateSecretRoute(api, pool, requireBox);
	deleteSubscriptionRoute(api, pool);
	deliveryRoutes(api, pool, onReplay);
}

function deleteSubscriptionRoute(api: ApiBuilder, pool: Pool): void {
	api.route({
		method: 'delete',
		path: '/api/v1/subscriptions/:id',
		tag: 'events',
		scope: 'events',
		summary: 'Delete a subscription; its undelivered events become dead letters.',
		params: idParams,
		success: { status: 204, description: 'Deleted.' },
		errors: { 404: 'No such subscription.' },
		handler: async ({ principal, params }) => {
			const deleted = await inTransaction(pool, (tx) => deleteSubscription(tx, principal.userId, params.id));
			if (!deleted) throw notFound('No such subscription.');
			return { status: 204 };
		},
	});
}

/** The delivery log of the key user's subscriptions, and replay. */
function deliveryRoutes(api: ApiBuilder, pool: Pool, onReplay: () => void): void {
	api.route({
		method: 'get',
		path: '/api/v1/deliveries',
		tag: 'events',
		scope: 'events',
		summary: 'List deliveries of the key user’s subscriptions, newest first.',
		query: deliveryListQuery,
		success: { status: 200, description: 'A page of deliveries.', schema: listOf(deliverySchema) },
		handler: async ({ principal, query }) => {
			const after = decodeCursor(query.cursor, timeIdCursor);
			const rows = await listDeliveries(pool, principal.userId, {
				subscription_id: query.subscription_id,
				status: query.status,
				event_type: query.event_type,
				after: after ? { created_at: after.at, id: after.id } : undefined,
				limit: query.limit + 1,
			});
			const page = rows.slice(0, query.limit);
			const last = page[page.length - 1] as (typeof page)[number] & { cursor_at?: string };
			return {
				body: {
					data: page.map(({ cursor_at: _c, ...d }: (typeof page)[number] & { cursor_at?: string }) => d),
					next_cursor: rows.length > query.limit ? encodeCursor({ at: last.cursor_at, id: last.id }) : null,
				},
			};
		},
	});
	api.route({
		method: 'post',
		path: '/api/v1/deliveries/:id/replay',
		tag: 'events',
		scope: 'events',
		summary: 'Deliver again from the start of the retry schedule (same webhook-id).',
		params: idParams,
		success: { status: 202, description: 'Queued.', schema: deliverySchema },
		errors: { 404: 'No such delivery.', 409: 'The subscription was deleted.' },
		handler: async ({ principal, params }) => {
			const result = await inTransaction(pool, (tx) => replayDelivery(tx, principal.userId, params.id));
			if (!result) throw notFound('No such delivery.');
			if (result === 'subscription_deleted')
				throw new HttpError(
					409,
					'subscription_deleted',
					'The subscription of this delivery was deleted; create a new one.',
				);
			onReplay();
			const { cursor_at: _c, ...delivery } = result as typeof result & { cursor_at?: string };
			return { body: delivery };
		},
	});
}

/** Secret rotation with an overlap in which the fan-out signs with the old and the new secret. */
function rotateSecretRoute(api: ApiBuilder, pool: Pool, requireBox: () => SecretBox): void {
	api.route({
		method: 'post',
		path: '/api/v1/subscriptions/:id/rotate-secret',
		tag: 'events',
		scope: 'events',
		summary: 'Replace the signing secret; the old one keeps signing beside the new one during the overlap.',
		description:
			'The response carries the new whsec_ secret once. Until previous_secret_expires_at every delivery carries two v1 signatures (old and new secret), so a receiver verifies with either: put the new secret in the TiltedPrompts Trigger (Rotated Signing Secret) or your verifier before the overlap ends.',
		params: idParams,
		body: secretRotationBody,
		success: { status: 200, description: 'Rotated, with the new signing secret.', schema: secretRotatedSchema },
		errors: { 404: 'No such subscription.' },
		handler: async ({ principal, params, body }) => {
			const rotated = await rotateSubscriptionSecret(
				pool,
				requireBox(),
				principal.userId,
				params.id,
				body.overlap_seconds,
			);
			if (!rotated) throw notFound('No such subscription.');
			return { body: rotated };
		},
	});
}
