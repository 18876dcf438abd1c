// The event store: raw signed payloads and the normalized events derived from them, written in one
// transaction and deduplicated (payloads on the SHA-256 of their bytes, events on Meta's ids). A
// request is answered only after its transaction committed.
//
// Extension hooks (issue 4: consent, campaign statuses, the fan-out outbox) run INSIDE that same
// transaction, after the new events are inserted, with only the events that were new (never the
// duplicates). A hook that throws rolls the whole write back; the sender gets a 5xx (logged) and retries.
//
// Throughput: concurrent requests are grouped ("group commit"). While `maxConcurrentBatches`
// (default 1) transactions are in flight, further requests queue and go together in the next
// transaction: at low load each request gets its own transaction at once, at high load many share
// one commit. A hook may fold its work into the insert statement (`EventHook.fold`): a batch that no
// other hook wants is then a single statement (no BEGIN/COMMIT round trips), as is a batch without
// hooks. A folded work may hand the batch back from inside the statement (TPF01); the batch is then
// written again, that hook in the transaction.
//
// Faults: the database going away fails the whole batch with DatabaseUnavailableError (503, Retry-After).
// When the connection is lost during COMMIT, whether it committed is unknown; the sender's redelivery
// finds the payload and events already there (or not) and is answered 2xx either way, stored once.
import type { Pool, PoolClient } from 'pg';
import { createHash } from 'node:crypto';
import type { NormalizedEvent } from '../core/meta-events';
import { isConnectionError, withTransaction } from './client';
import { join, preparedQuery, raw, sql, toQuery, type StatementWork } from './sql';

/** An event as stored (and as hooks receive it). `id` is the events.id bigint as a string. */
export interface StoredEvent {
	id: string;
	type: string;
	dedupe_key: string;
	occurred_at: Date;
	received_at: Date;
	payload: Record<string, unknown>;
}

/** An inserted row (what Postgres returned) with the event it stored. */
function storedEvent(row: { id: string; dedupe_key: string; received_at: Date }, event: NormalizedEvent): StoredEvent {
	return {
		id: row.id,
		type: event.type,
		dedupe_key: row.dedupe_key,
		occurred_at: event.occurredAt,
		received_at: row.received_at,
		payload: event.payload,
	};
}

/**
 * Called inside the storing transaction with the events that were newly inserted (duplicates are
 * left out; the array is never empty). Use `tx` for every query so the work commits or rolls back
 * with the events. Types include `whatsapp.message`, `whatsapp.status`, `whatsapp.error`,
 * `instagram.comment`, `instagram.mention`, `instagram.message`, `meta.unhandled`,
 * `library.bundle_ingested`.
 */
export type EventHook = ((
	tx: PoolClient,
	events: StoredEvent[],
	transaction?: TransactionCallbacks,
) => Promise<void>) & {
	/**
	 * The same work for a batch of the event store as part of its insert statement: CTEs over
	 * `stored_events` (id, type, dedupe_key, received_at, payload of each event the statement newly
	 * inserted), so that a batch no other hook needs a transaction for is one statement, which commits
	 * on its own (no BEGIN and COMMIT round trips). `events` are the batch's events, redeliveries
	 * included: the statement knows which are new. `done` gets the result once the statement ran, with
	 * the stored events. The store then does not call the hook itself. Undefined: the hook runs in the
	 * transaction as usual. Each hook names its own CTEs (several hooks may fold into one statement).
	 */
	fold?: (events: readonly NormalizedEvent[], transaction: TransactionCallbacks) => FoldedWork | undefined;
	/** False when the hook has nothing to do for a batch of these events (pure; absent: always true). */
	wants?: (events: readonly NormalizedEvent[]) => boolean;
};

/** The CTE of the event store's insert statement that a folded work reads (see `EventHook.fold`). */
export const STORED_EVENTS = raw('stored_events');

/** A hook's work inside the event store's insert statement (see `EventHook.fold`). */
export interface FoldedWork extends StatementWork {
	done(result: unknown, stored: readonly StoredEvent[]): void;
	/**
	 * The statement may abort with SQLSTATE TPF01 when this work finds that it cannot do the batch's
	 * part alone (e.g. `tp_record_inbound_senders`): the store then writes the batch again with the
	 * hook in the transaction.
	 */
	fallible?: boolean;
}

/** SQLSTATE a fallible folded work raises to hand the batch back (see `FoldedWork.fallible`). */
export const FOLD_FALLBACK_CODE = 'TPF01';

/** The folded works of several hooks as one: their CTEs, and their results as one JSON array. */
function foldedTogether(works: readonly FoldedWork[]): FoldedWork | undefined {
	if (works.length <= 1) return works[0];
	return {
		ctes: works.flatMap((work) => work.ctes),
		result: sql`json_build_array(${join(
			works.map((work) => work.result),
			', ',
		)})`,
		done: (result, stored) =>
			works.forEach((work, index) => work.done(Array.isArray(result) ? result[index] : undefined, stored)),
	};
}

/**
 * What a hook may run once the event store's transaction is over (absent when the hook runs inside a
 * caller's transaction): `onCommit` after it committed, `onAbort` when it rolled back or whether it
 * committed is unknown. The callbacks must not throw (the request's answer does not depend on them).
 */
export interface TransactionCallbacks {
	onCommit(callback: () => void): void;
	onAbort(callback: () => void): void;
}

/** Collects the callbacks of one transaction attempt and runs one list or the other, once. */
function transactionCallbacks(): TransactionCallbacks & { settle(committed: boolean): void } {
	const commits: Array<() => void> = [];
	const aborts: Array<() => void> = [];
	return {
		onCommit: (callback) => void commits.push(callback),
		onAbort: (callback) => void aborts.push(callback),
		settle(committed) {
			for (const callback of committed ? commits : aborts) {
				try {
					callback();
				} catch {
					// bookkeeping after the transaction must not turn its outcome into an error
				}
			}
			commits.length = 0;
			aborts.length = 0;
		},
	};
}

export interface IncomingPayload {
	/** Where it came from, e.g. `meta`. */
	source: string;
	/** The body exactly as received (its SHA-256 deduplicates redeliveries). */
	rawBody: Buffer;
	events: NormalizedEvent[];
}

export interface StoreResult {
	/** Events newly stored. */
	stored: StoredEvent[];
	/** Events of this payload that were already stored (a redelivery). */
	duplicates: number;
}

export interface EventStoreObserver {
	/** After each committed transaction: how many payloads and new events it held and how long it took. */
	onBatch?(info: { payloads: number; events: number; duplicates: number; seconds: number }): void;
}

export interface EventStoreOptions extends EventStoreObserver {
	hooks?: EventHook[];
	maxBatch?: number;
	maxConcurrentBatches?: number;
	/** Run the insert as a named prepared statement, parsed and planned once per connection (default true). */
	preparedStatements?: boolean;
}

const RETRYABLE = new Set(['40P01', '40001']); // deadlock, serialization failure

interface Pending {
	input: IncomingPayload;
	resolve(result: StoreResult): void;
	reject(error: unknown): void;
}

/**
 * Inserts payloads and their events with one statement; returns the newly inserted events. `fold`:
 * a hook's work done by the same statement (its `done` is called before this returns).
 */
export async function insertPayloadsAndEvents(
	client: PoolClient | Pool,
	inputs: IncomingPayload[],
	options: { prepared?: boolean; fold?: FoldedWork } = {},
): Promise<StoredEvent[]> {
	const bodies = inputs.map((input, index) => ({
		index,
		sha: createHash('sha256').update(input.rawBody).digest(),
		input,
	}));
	// Rows go in a fixed order (by hash, by key) so concurrent transactions lock them in the same
	// order and cannot deadlock.
	const payloadRows = [...bodies].sort((a, b) => Buffer.compare(a.sha, b.sha));
	const byKey = new Map<string, { event: NormalizedEvent; body: number }>();
	for (const body of bodies) {
		for (const event of body.input.events)
			if (!byKey.has(event.dedupeKey)) byKey.set(event.dedupeKey, { event, body: body.index });
	}
	if (byKey.size === 0) return [];
	// The hashes and the bodies go as one binary parameter each, cut apart by position in the
	// statement. As bytea[] parameters, pg would write every body as hex text inside an array literal
	// (twice the bytes, one string built per batch) and Postgres would parse it back (measured: ~5 % of
	// the service's CPU at the most webhooks per second).
	const shas = Buffer.concat(bodies.map((body) => body.sha));
	const starts: number[] = [];
	let start = 1;
	for (const body of bodies) {
		starts.push(start);
		start += body.input.rawBody.length;
	}
	const raws = Buffer.concat(bodies.map((body) => body.input.rawBody));
	const keys = [...byKey.keys()].sort();
	const eventsJson = JSON.stringify(
		keys.map((key, ord) => {
			const { event, body } = byKey.get(key)!;
			return {
				ord,
				type: event.type,
				dedupe_key: key,
				occurred_at: event.occurredAt.toISOString(),
				payload: event.payload,
				body: body + 1,
			};
		}),
	);
	const { fold } = options;
	const stored = sql`${STORED_EVENTS} AS (
			INSERT INTO events (type, dedupe_key, occurred_at, payload, payload_id)
			SELECT ev.type, ev.dedupe_key, ev.occurred_at, ev.payload, p.id
			FROM ev LEFT JOIN ins_payload p ON p.body_sha256 = substring(${shas}::bytea FROM (ev.body - 1) * 32 + 1 FOR 32)
			ORDER BY ev.ord
			ON CONFLICT (dedupe_key) DO NOTHING
			RETURNING id, type, dedupe_key, received_at${raw(fold ? ', payload' : '')})`;
	const ctes = [
		sql`ins_payload AS (
			INSERT INTO webhook_payloads (source, body_sha256, raw_body)
			SELECT p.source, substring(${shas}::bytea FROM (p.body - 1) * 32 + 1 FOR 32), substring(${raws}::bytea FROM p.raw_start FOR p.raw_length)
			FROM unnest(${payloadRows.map((row) => row.input.source)}::text[], ${payloadRows.map((row) => row.index + 1)}::int[], ${payloadRows.map((row) => starts[row.index])}::int[], ${payloadRows.map((row) => row.input.rawBody.length)}::int[]) AS p(source, body, raw_start, raw_length)
			ON CONFLICT (body_sha256) DO NOTHING
			RETURNING id, body_sha256)`,
		sql`ev AS (
			SELECT * FROM jsonb_to_recordset(${eventsJson}::jsonb)
				AS e(ord int, type text, dedupe_key text, occurred_at timestamptz, payload jsonb, body int))`,
		stored,
		...(fold?.ctes ?? []),
	];
	// The folded work's result comes as one more row, told apart by its null id.
	const query = fold
		? sql`WITH ${join(ctes, ', ')}
			SELECT id::text AS id, dedupe_key, received_at, NULL::json AS folded FROM ${STORED_EVENTS}
			UNION ALL SELECT NULL, NULL, NULL, to_json(${fold.result})`
		: sql`WITH ${join(ctes, ', ')} SELECT id::text AS id, dedupe_key, received_at FROM ${STORED_EVENTS}`;
	// Named, Postgres parses and plans this statement once per connection instead of once per batch
	// (measured: about 0.4 ms of Postgres CPU per batch).
	const { rows } = await client.query<{ id: string | null; dedupe_key: string; received_at: Date; folded?: unknown }>(
		preparedQuery(toQuery(query), options.prepared ?? false),
	);
	const events = rows
		.filter((row) => row.id !== null)
		.map((row) =>
			storedEvent(row as { id: string; dedupe_key: string; received_at: Date }, byKey.get(row.dedupe_key)!.event),
		)
		.sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
	fold?.done(rows.find((row) => row.id === null)?.folded, events);
	return events;
}

/** Inserts events (no raw payload) inside a caller's transaction and runs the hooks on the new ones. */
export async function insertEventsInTransaction(
	tx: PoolClient,
	events: NormalizedEvent[],
	hooks: readonly EventHook[] = [],
): Promise<StoredEvent[]> {
	if (events.length === 0) return [];
	const sorted = [...events].sort((a, b) => (a.dedupeKey < b.dedupeKey ? -1 : a.dedupeKey > b.dedupeKey ? 1 : 0));
	const { rows } = await tx.query<{ id: string; dedupe_key: string; received_at: Date }>(
		`INSERT INTO events (type, dedupe_key, occurred_at, payload)
		 SELECT e.type, e.dedupe_key, e.occurred_at, e.payload
		 FROM jsonb_to_recordset($1::jsonb) AS e(ord int, type text, dedupe_key text, occurred_at timestamptz, payload jsonb)
		 ORDER BY e.ord
		 ON CONFLICT (dedupe_key) DO NOTHING
		 RETURNING id::text AS id, dedupe_key, received_at`,
		[
			JSON.stringify(
				sorted.map((e, ord) => ({
					ord,
					type: e.type,
					dedupe_key: e.dedupeKey,
					occurred_at: e.occurredAt.toISOString(),
					payload: e.payload,
				})),
			),
		],
	);
	const byKey = new Map(sorted.map((e) => [e.dedupeKey, e]));
	const stored = rows.map((row) => storedEvent(row, byKey.get(row.dedupe_key)!));
	if (stored.length > 0) for (const hook of hooks) await hook(tx, stored);
	return stored;
}

export class EventStore {
	private readonly queue: Pending[] = [];
	private inFlight = 0;
	private readonly hooks: EventHook[];
	private readonly maxBatch: number;
	private readonly maxConcurrent: number;
	private readonly insertOptions: { prepared?: boolean };

	constructor(
		private readonly pool: Pool,
		private readonly options: EventStoreOptions = {},
	) {
		this.hooks = [];
		for (const hook of options.hooks ?? []) this.addHook(hook);
		this.maxBatch = options.maxBatch ?? 100;
		// Measured (bench:ingest and bench:fanout, alternated pairs, 2 cores): one batch in flight
		// gives bigger batches, less contention for the cores and the locks, and more events/s with
		// lower latency than two, now that a batch of statuses is one statement (service/bench/README).
		this.maxConcurrent = options.maxConcurrentBatches ?? 1;
		this.insertOptions = { prepared: options.preparedStatements ?? true };
	}

	/** Adds a hook (e.g. from issue 4's modules) after construction. */
	addHook(hook: EventHook): void {
		this.hooks.push(hook);
	}

	get hookList(): readonly EventHook[] {
		return this.hooks;
	}

	/**
	 * Resolves true once nothing is queued or being written (every batch committed or failed, its
	 * hooks' callbacks run), or false after `timeoutMs`. Shutdown waits for it before it stops the
	 * delivery worker and closes the pool: a batch still writing when the HTTP drain gave up (its
	 * client gone) commits, and hands its claimed deliveries back, while the pool is still open.
	 */
	async settled(timeoutMs: number): Promise<boolean> {
		const end = Date.now() + timeoutMs;
		while (this.inFlight > 0 || this.queue.length > 0) {
			if (Date.now() >= end) return false;
			await new Promise((resolve) => setTimeout(resolve, 10));
		}
		return true;
	}

	/** Stores one payload with its events; resolves once committed. */
	store(input: IncomingPayload): Promise<StoreResult> {
		return new Promise((resolve, reject) => {
			this.queue.push({ input, resolve, reject });
			this.pump();
		});
	}

	private pump(): void {
		while (this.inFlight < this.maxConcurrent && this.queue.length > 0) {
			const batch = this.queue.splice(0, this.maxBatch);
			this.inFlight++;
			void this.flush(batch).finally(() => {
				this.inFlight--;
				this.pump();
			});
		}
	}

	private async flush(batch: Pending[]): Promise<void> {
		try {
			const results = await this.write(batch.map((p) => p.input));
			batch.forEach((pending, index) => pending.resolve(results[index]));
		} catch (error) {
			if (batch.length > 1 && !isConnectionError(error)) {
				// One bad payload (or hook failure) must not fail its neighbours: retry one by one.
				for (const pending of batch) {
					try {
						const [result] = await this.write([pending.input]);
						pending.resolve(result);
					} catch (single) {
						pending.reject(single);
					}
				}
			} else {
				for (const pending of batch) pending.reject(error);
			}
		}
	}

	private async write(inputs: IncomingPayload[], attempt = 1): Promise<StoreResult[]> {
		const started = process.hrtime.bigint();
		let stored: StoredEvent[];
		try {
			stored = await this.insertWithHooks(inputs);
		} catch (error) {
			const code = (error as { code?: string }).code;
			if (code && RETRYABLE.has(code) && attempt < 3) return this.write(inputs, attempt + 1);
			throw error;
		}
		const storedByKey = new Map(stored.map((event) => [event.dedupe_key, event]));
		const claimed = new Set<string>();
		const results = inputs.map((input) => {
			const mine: StoredEvent[] = [];
			let duplicates = 0;
			for (const event of input.events) {
				const fresh = storedByKey.get(event.dedupeKey);
				if (fresh && !claimed.has(event.dedupeKey)) {
					claimed.add(event.dedupeKey);
					mine.push(fresh);
				} else duplicates++;
			}
			return { stored: mine, duplicates };
		});
		// Committed: from here on nothing may fail the requests (a failure now would answer an error
		// for a stored payload). The observer is bookkeeping only.
		try {
			this.options.onBatch?.({
				payloads: inputs.length,
				events: stored.length,
				duplicates: results.reduce((sum, r) => sum + r.duplicates, 0),
				seconds: Number(process.hrtime.bigint() - started) / 1e9,
			});
		} catch {
			// metrics must not turn a committed write into an error
		}
		return results;
	}

	/**
	 * The batch's statement, with the folded work of the hooks that fold it; in a transaction with the
	 * other hooks that want the batch's events, or on its own when none does (one statement is one
	 * transaction). When a fallible folded work hands the batch back (TPF01), the statement rolled back
	 * whole, and the batch is written again with that hook in the transaction.
	 */
	private async insertWithHooks(
		inputs: IncomingPayload[],
		unfolded: ReadonlySet<EventHook> = new Set(),
	): Promise<StoredEvent[]> {
		const events = inputs.flatMap((input) => input.events);
		const callbacks = transactionCallbacks();
		const works: FoldedWork[] = [];
		const fallible: EventHook[] = [];
		const others: EventHook[] = [];
		for (const hook of this.hooks) {
			if (!(hook.wants?.(events) ?? true)) continue;
			const work = unfolded.has(hook) ? undefined : hook.fold?.(events, callbacks);
			if (!work) others.push(hook);
			else {
				works.push(work);
				if (work.fallible) fallible.push(hook);
			}
		}
		let stored: StoredEvent[];
		try {
			const options = { ...this.insertOptions, fold: foldedTogether(works) };
			stored =
				others.length === 0
					? await insertPayloadsAndEvents(this.pool, inputs, options)
					: await withTransaction(this.pool, async (client) => {
							const fresh = await insertPayloadsAndEvents(client, inputs, options);
							if (fresh.length > 0) for (const hook of others) await hook(client, fresh, callbacks);
							return fresh;
						});
		} catch (error) {
			callbacks.settle(false);
			if ((error as { code?: string }).code === FOLD_FALLBACK_CODE && fallible.length > 0)
				return this.insertWithHooks(inputs, new Set([...unfolded, ...fallible]));
			throw error;
		}
		callbacks.settle(true);
		return stored;
	}
}

export { isConnectionError };
