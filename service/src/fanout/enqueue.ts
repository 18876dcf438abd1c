// The event hook's deliveries: when the event store's transaction can tell its end (it runs the
// hook's callbacks) and this process's worker has room, the deliveries are inserted already leased to
// that worker, which sends them the moment the transaction commits; otherwise they wait in the outbox
// and NOTIFY wakes a worker (of any instance) to lease them.
import type { PoolClient } from 'pg';
import type { FoldedWork, StoredEvent, TransactionCallbacks } from '../db/events';
import { visibleToTier } from '../db/ingest';
import type { SqlFragment } from '../db/sql';
import type { Leased } from './deliveries';
import {
	claimingOutboxWork,
	claimOutcome,
	enqueueDeliveries,
	enqueueDeliveriesClaiming,
	outboxWork,
	STORED_EVENTS_SOURCE,
	type ClaimedDelivery,
} from './outbox';
import type { FanoutWorker } from './worker';

export interface StoredEventsEnqueuer {
	/** Inserts the deliveries of `events` inside the caller's transaction, after `before`. */
	enqueue(
		tx: PoolClient,
		events: readonly StoredEvent[],
		before: readonly SqlFragment[],
		transaction?: TransactionCallbacks,
	): Promise<void>;
	/** The same as the event store's folded work over its `stored_events` (`EventHook.fold`). */
	fold(batchSize: number, before: readonly SqlFragment[], transaction: TransactionCallbacks): FoldedWork;
}

/**
 * How many slots to claim for a batch: its events times the deliveries per event of the previous
 * batch (how many subscriptions match), plus one so that a first subscription is noticed. Claiming
 * only that leaves room for the next batch, which starts while these deliveries are being sent.
 */
export function claimWant(events: number, deliveriesPerEvent: number): number {
	return Math.ceil(events * deliveriesPerEvent) + 1;
}

/** The claimed deliveries as the worker sends them: with their event. */
function leasedRows(claimed: readonly ClaimedDelivery[], events: readonly StoredEvent[]): Leased[] {
	const byId = new Map(events.map((e) => [e.id, e]));
	return claimed.map((row) => {
		const event = byId.get(row.event_id)!;
		return { ...row, dedupe_key: event.dedupe_key, occurred_at: event.occurred_at, payload: event.payload };
	});
}

export function storedEventsEnqueuer(options: { prepared: boolean; worker?: FanoutWorker }): StoredEventsEnqueuer {
	const { prepared, worker } = options;
	let perEvent = 1;
	const learn = (count: number, events: number) => (perEvent = count / Math.max(1, events));
	/** Room in this process's worker, held until the transaction's end. */
	const claimFor = (events: number, transaction: TransactionCallbacks) => {
		const claim = worker?.claim(claimWant(events, perEvent));
		if (!claim) return undefined;
		let rows: Leased[] = [];
		transaction.onAbort(() => claim.cancel());
		transaction.onCommit(() => claim.deliver(rows));
		return { claim, sent: (claimed: Leased[]) => (rows = claimed) };
	};
	return {
		async enqueue(tx, events, before, transaction) {
			const refs = events.map((e) => ({ id: e.id, type: e.type, visibleToTier: visibleToTier(e.payload) }));
			const room = transaction ? claimFor(refs.length, transaction) : undefined;
			if (!room) {
				learn(await enqueueDeliveries(tx, refs, before, { prepared }), refs.length);
				return;
			}
			const { count, claimed } = await enqueueDeliveriesClaiming(tx, refs, before, room.claim, { prepared });
			learn(count, refs.length);
			room.sent(leasedRows(claimed, events));
		},
		fold(batchSize, before, transaction) {
			const room = claimFor(batchSize, transaction);
			if (!room) {
				const work = outboxWork(STORED_EVENTS_SOURCE, before);
				return { ...work, done: (result, stored) => learn(Number(result ?? 0), stored.length) };
			}
			return {
				...claimingOutboxWork(STORED_EVENTS_SOURCE, before, room.claim),
				done(result, stored) {
					const { count, claimed } = claimOutcome(result);
					learn(count, stored.length);
					room.sent(leasedRows(claimed, stored));
				},
			};
		},
	};
}
