// The API the nodes call (/api/v1/*, issue 4) and its event hooks. createApp mounts `router`, merges
// `openapi` into /openapi.json, and hands `hooks` to the event store; main starts `worker`.
import type { Pool, PoolClient } from 'pg';
import { applyStatusesSql, applyStoredStatusesSql, statusBatch } from '../campaigns/repository';
import type { KeywordLists } from '../consent/keywords';
import { peopleFoldWork, simpleSenders } from '../consent/people-fold';
import { applyPeopleSignals, wantsPeopleSignals } from '../consent/signals';
import { createSecretBox, type EncryptionKey, type SecretBox } from '../crypto/secret-box';
import type { NormalizedEvent } from '../core/meta-events';
import { STORED_EVENTS, type EventHook, type StoredEvent, type TransactionCallbacks } from '../db/events';
import { sql } from '../db/sql';
import { storedEventsEnqueuer } from '../fanout/enqueue';
import { createFanoutWorker, type FanoutWorker, type FanoutWorkerOptions } from '../fanout/worker';
import { campaignRoutes } from './campaigns';
import { contactRoutes } from './contacts';
import { libraryRoutes } from './library';
import { meRoutes } from './me';
import { ApiBuilder } from './route';
import { sendBudgetRoutes } from './send-budget';
import type { ApiSettings } from './settings';
import { subscriptionRoutes } from './subscriptions';

interface ApiModuleOptions {
	pool: Pool;
	encryptionKeys?: EncryptionKey[];
	settings: ApiSettings;
	bodyLimitBytes?: number;
	log?: FanoutWorkerOptions['log'];
	onAttempt?: FanoutWorkerOptions['onAttempt'];
	/** Named prepared statements for the delivery worker's queries and the event hook's (DATABASE_PREPARED_STATEMENTS; default true). */
	preparedStatements?: boolean;
}

export interface ApiModule {
	router: ApiBuilder['router'];
	openapi: ApiBuilder['openapi'];
	/** Every route's declaration (method, path, zod schemas). */
	routes: ApiBuilder['specs'];
	/** Run by the event store inside the transaction that stores new events. */
	hooks: EventHook[];
	box: SecretBox | undefined;
	/** The outbox delivery worker (not started). */
	worker: FanoutWorker | undefined;
}

// Everything the API part does with newly stored events (the event store's transaction is
// latency-critical: Meta waits for its 200): campaign recipients moved by statuses, one outbox
// delivery per matching subscription (claimed by this process's worker, sent on commit, when it has
// room; else NOTIFY for the delivery workers on commit) in one statement, which the event store runs
// as part of its insert statement (`fold`); then the people: senders as contacts (phone number, BSUID
// or both), identifier changes, STOP/START, Meta's user_preferences and 131050 failures. A batch with
// nothing for the people (`wants`: e.g. only delivery statuses) is one statement, no transaction.
function createEventHooks(keywords: KeywordLists, prepared: boolean, worker: FanoutWorker | undefined): EventHook[] {
	const enqueuer = storedEventsEnqueuer({ prepared, worker });
	const statusesOf = (events: readonly StoredEvent[]) =>
		statusBatch(
			events
				.filter((e) => e.type === 'whatsapp.status')
				.map((e) => ({ occurredAt: e.occurred_at, payload: e.payload })),
		);
	const outbox: EventHook = Object.assign(
		(tx: PoolClient, events: StoredEvent[], transaction?: TransactionCallbacks) =>
			enqueuer.enqueue(tx, events, [applyStatusesSql(statusesOf(events))], transaction),
		{
			// The same in the event store's insert statement (one round trip, none for BEGIN and COMMIT
			// when the people hook has nothing to do): statuses of the events it newly stored.
			fold: (events: readonly NormalizedEvent[], transaction: TransactionCallbacks) =>
				enqueuer.fold(
					events.length,
					[
						applyStoredStatusesSql(
							events.filter((e) => e.type === 'whatsapp.status'),
							sql`SELECT dedupe_key FROM ${STORED_EVENTS}`,
						),
					],
					transaction,
				),
		},
	);
	// Consent changes emit contact.* events, which get their own deliveries.
	// A batch whose only work for the people is senders to record goes in the insert statement too,
	// and needs no transaction (people-fold.ts); the statement hands anything more back.
	const people: EventHook = Object.assign(
		(tx: PoolClient, events: StoredEvent[]) => applyPeopleSignals(tx, events, keywords),
		{
			wants: wantsPeopleSignals,
			fold: (events: readonly NormalizedEvent[]) => {
				const senders = simpleSenders(events, keywords);
				return senders && peopleFoldWork(senders);
			},
		},
	);
	return [outbox, people];
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
					preparedStatements: options.preparedStatements,
				})
			: undefined;
	const api = new ApiBuilder(options.pool, options.bodyLimitBytes ?? 1024 * 1024);
	meRoutes(api, options.pool);
	libraryRoutes(api, options.pool);
	contactRoutes(api, options.pool);
	campaignRoutes(api, options.pool, {
		claimTimeoutMs: settings.CAMPAIGN_CLAIM_TIMEOUT,
		publicUrl: settings.SERVICE_PUBLIC_URL,
	});
	subscriptionRoutes(api, options.pool, box, () => worker?.kick());
	sendBudgetRoutes(api, options.pool);
	return {
		router: api.router,
		openapi: api.openapi,
		routes: api.specs,
		hooks: createEventHooks(
			{ optOut: settings.CONSENT_OPT_OUT_KEYWORDS, optIn: settings.CONSENT_OPT_IN_KEYWORDS },
			options.preparedStatements ?? true,
			worker,
		),
		box,
		worker,
	};
}
