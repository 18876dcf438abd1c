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

export async function enqueueStoredEvents(
	tx: PoolClient,
	events: readonly StoredEvent[],
	before: readonly SqlFragment[],
	options: { prepared: boolean; worker?: FanoutWorker; transaction?: TransactionCallbacks },
): Promise<void> {
	const refs = events.map((e) => ({ id: e.id, type: e.type, visibleToTier: visibleToTier(e.payload) }));
	const { transaction, prepared } = options;
	const claim = transaction ? options.worker?.claim() : undefined;
	if (!claim || !transaction) {
		await enqueueDeliveries(tx, refs, before, { prepared });
		return;
	}
	let rows: Leased[] = [];
	transaction.onAbort(() => claim.cancel());
	transaction.onCommit(() => claim.deliver(rows));
	const { claimed } = await enqueueDeliveriesClaiming(tx, refs, before, claim, { prepared });
	const byId = new Map(events.map((e) => [e.id, e]));
	rows = claimed.map((row) => {
		const event = byId.get(row.event_id)!;
		return { ...row, dedupe_key: event.dedupe_key, occurred_at: event.occurred_at, payload: event.payload };
	});
}
