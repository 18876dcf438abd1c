// The API the nodes call (/api/v1/*, issue 4) and its event hooks. createApp mounts `router`, merges
// `openapi` into /openapi.json, and hands `hooks` to the event store; main starts `worker`.
import type { Pool, PoolClient } from 'pg';
import { applyStatusEvents } from '../campaigns/repository';
import { applyInboundMessages } from '../consent/repository';
import type { KeywordLists } from '../consent/keywords';
import { createSecretBox, type EncryptionKey, type SecretBox } from '../crypto/secret-box';
import type { EventHook, StoredEvent } from '../db/events';
import { enqueueDeliveries } from '../fanout/outbox';
import { createFanoutWorker, type FanoutWorker, type FanoutWorkerOptions } from '../fanout/worker';
import { campaignRoutes } from './campaigns';
import { contactRoutes } from './contacts';
import { libraryRoutes } from './library';
import { ApiBuilder } from './route';
import type { ApiSettings } from './settings';
import { subscriptionRoutes } from './subscriptions';

export interface ApiModuleOptions {
	pool: Pool;
	encryptionKeys?: EncryptionKey[];
	settings: ApiSettings;
	bodyLimitBytes?: number;
	log?: FanoutWorkerOptions['log'];
	onAttempt?: FanoutWorkerOptions['onAttempt'];
}

export interface ApiModule {
	router: ApiBuilder['router'];
	openapi: ApiBuilder['openapi'];
	/** Run by the event store inside the transaction that stores new events. */
	hooks: EventHook[];
	box: SecretBox | undefined;
	/** The outbox delivery worker (not started). */
	worker: FanoutWorker | undefined;
}

export function createEventHooks(keywords: KeywordLists): EventHook[] {
	return [
		// Inbound messages: contact, last_inbound_at, STOP/START (may emit contact.* events).
		async (tx: PoolClient, events: StoredEvent[]) => {
			const inbound = events.filter((e) => e.type === 'whatsapp.message');
			if (inbound.length) await applyInboundMessages(tx, inbound.map((e) => ({ id: e.id, occurredAt: e.occurred_at, payload: e.payload })), keywords);
		},
		// Statuses: campaign recipients → delivered / read / failed.
		async (tx, events) => {
			const statuses = events.filter((e) => e.type === 'whatsapp.status');
			if (statuses.length) await applyStatusEvents(tx, statuses.map((e) => ({ occurredAt: e.occurred_at, payload: e.payload })));
		},
		// Every stored event: one outbox delivery per matching subscription.
		async (tx, events) => {
			await enqueueDeliveries(tx, events);
		},
	];
}

export function createApiModule(options: ApiModuleOptions): ApiModule {
	const box = options.encryptionKeys?.length ? createSecretBox(options.encryptionKeys) : undefined;
	const settings = options.settings;
	const worker =
		box && settings.FANOUT_WORKER
			? createFanoutWorker({
					pool: options.pool,
					box,
					schedule: settings.FANOUT_RETRY_SCHEDULE,
					concurrency: settings.FANOUT_CONCURRENCY,
					requestTimeoutMs: settings.FANOUT_REQUEST_TIMEOUT,
					pollIntervalMs: settings.FANOUT_POLL_INTERVAL,
					log: options.log,
					onAttempt: options.onAttempt,
				})
			: undefined;
	const api = new ApiBuilder(options.pool, options.bodyLimitBytes ?? 1024 * 1024);
	libraryRoutes(api, options.pool);
	contactRoutes(api, options.pool);
	campaignRoutes(api, options.pool, { claimTimeoutMs: settings.CAMPAIGN_CLAIM_TIMEOUT });
	subscriptionRoutes(api, options.pool, box, () => worker?.kick());
	return {
		router: api.router,
		openapi: api.openapi,
		hooks: createEventHooks({ optOut: settings.CONSENT_OPT_OUT_KEYWORDS, optIn: settings.CONSENT_OPT_IN_KEYWORDS }),
		box,
		worker,
	};
}
