// The event hook's deliveries: when the event store's transaction can tell its end (it runs the
// hook's callbacks) and this process's worker has room, the deliveries are inserted already leased to
// that worker, which sends them the moment the transaction commits; otherwise they wait in the outbox
// and NOTIFY wakes a worker (of any instance) to lease them.
import type { PoolClient } from 'pg';
import type { StoredEvent, TransactionCallbacks } from '../db/events';
import { visibleToTier } from '../db/ingest';
import type { SqlFragment } from '../db/sql';
import type { Leased } from './deliveries';
import { enqueueDeliveries, enqueueDeliveriesClaiming } from './outbox';
import type { FanoutWorker } from './worker';

export type EnqueueStoredEvents = (
	tx: PoolClient,
	events: readonly StoredEvent[],
	before: readonly SqlFragment[],
	transaction?: TransactionCallbacks,
) => Promise<void>;

/**
 * How many slots to claim for a batch: its events times the deliveries per event of the previous
 * batch (how many subscriptions match), plus one so that a first subscription is noticed. Claiming
 * only that leaves room for the other transaction in flight to claim too.
 */
export function claimWant(events: number, deliveriesPerEvent: number): number {
	return Math.ceil(events * deliveriesPerEvent) + 1;
}

export function storedEventsEnqueuer(options: { prepared: boolean; worker?: FanoutWorker }): EnqueueStoredEvents {
	const { prepared, worker } = options;
	let perEvent = 1;
	return async (tx, events, before, transaction) => {
		const refs = events.map((e) => ({ id: e.id, type: e.type, visibleToTier: visibleToTier(e.payload) }));
		const claim = transaction ? worker?.claim(claimWant(refs.length, perEvent)) : undefined;
		if (!claim || !transaction) {
			perEvent = (await enqueueDeliveries(tx, refs, before, { prepared })) / Math.max(1, refs.length);
			return;
		}
		let rows: Leased[] = [];
		transaction.onAbort(() => claim.cancel());
		transaction.onCommit(() => claim.deliver(rows));
		const { count, claimed } = await enqueueDeliveriesClaiming(tx, refs, before, claim, { prepared });
		perEvent = count / Math.max(1, refs.length);
		const byId = new Map(events.map((e) => [e.id, e]));
		rows = claimed.map((row) => {
			const event = byId.get(row.event_id)!;
			return { ...row, dedupe_key: event.dedupe_key, occurred_at: event.occurred_at, payload: event.payload };
		});
	};
}
