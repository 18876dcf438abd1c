// What the Instagram Trigger has already seen, and which fetched items are new. Pure: the clock is
// passed in. The state lives in the node's static data, so it survives restarts.
//
// Rules:
//   - first poll: start from "now" (or from the backfill date the user chose); everything already
//     there is recorded as seen and not emitted, so activation never floods old posts;
//   - an item is new when it is not in `seen`, is after the start, and is not older than the
//     high-water mark minus a look-back (late arrivals within the look-back still count);
//   - new items come out oldest first, each once; `seen` is pruned to the look-back window.

export interface Stamped {
	id: string;
	timestamp?: string;
}

export interface SeenState {
	version: 1;
	/** Epoch ms; nothing at or before this is ever emitted. */
	startedAt: number;
	/** Newest timestamp seen so far (epoch ms). */
	highWater: number;
	/** id → timestamp (epoch ms) of items already seen within the look-back. */
	seen: Record<string, number>;
}

export const DEFAULT_LOOKBACK_MS = 3 * 24 * 3600 * 1000;
export const MAX_SEEN = 5000;

export function parseTimestamp(value: unknown): number {
	if (typeof value !== 'string') return NaN;
	return Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

export function isSeenState(value: unknown): value is SeenState {
	if (!value || typeof value !== 'object') return false;
	const v = value as Partial<SeenState>;
	return (
		v.version === 1 &&
		typeof v.startedAt === 'number' &&
		typeof v.highWater === 'number' &&
		!!v.seen &&
		typeof v.seen === 'object'
	);
}

function prune(seen: Record<string, number>, cutoff: number): Record<string, number> {
	const entries = Object.entries(seen).filter(([, ts]) => ts >= cutoff);
	entries.sort((a, b) => b[1] - a[1]);
	return Object.fromEntries(entries.slice(0, MAX_SEEN));
}

function sortOldestFirst<T extends Stamped>(items: T[]): T[] {
	return [...items].sort(
		(a, b) => parseTimestamp(a.timestamp) - parseTimestamp(b.timestamp) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
	);
}

/** Picks the new items (oldest first) and returns the state to store. */
export function selectNew<T extends Stamped>(
	state: SeenState,
	items: T[],
	lookbackMs = DEFAULT_LOOKBACK_MS,
): { fresh: T[]; next: SeenState } {
	const seen = { ...state.seen };
	const cutoff = Math.max(state.startedAt, state.highWater - lookbackMs);
	const fresh: T[] = [];
	let highWater = state.highWater;
	for (const item of sortOldestFirst(items)) {
		const ts = parseTimestamp(item.timestamp);
		if (!item.id || Number.isNaN(ts)) continue;
		if (seen[item.id] !== undefined) continue;
		if (ts <= cutoff) continue;
		seen[item.id] = ts;
		fresh.push(item);
		if (ts > highWater) highWater = ts;
	}
	return {
		fresh,
		next: { version: 1, startedAt: state.startedAt, highWater, seen: prune(seen, highWater - lookbackMs) },
	};
}

/**
 * First poll. Without backfill: start now and remember what is already there (emit nothing).
 * With a backfill date: start there and emit what came after it.
 */
export function firstPoll<T extends Stamped>(
	now: number,
	items: T[],
	backfillFrom?: number,
	lookbackMs = DEFAULT_LOOKBACK_MS,
): { fresh: T[]; next: SeenState } {
	if (backfillFrom !== undefined && Number.isFinite(backfillFrom) && backfillFrom < now) {
		const start: SeenState = { version: 1, startedAt: backfillFrom, highWater: backfillFrom, seen: {} };
		// A backfill may reach further back than the look-back: allow it once.
		return selectNew(start, items, Math.max(lookbackMs, now - backfillFrom));
	}
	const seen: Record<string, number> = {};
	let highWater = now;
	for (const item of items) {
		const ts = parseTimestamp(item.timestamp);
		if (!item.id || Number.isNaN(ts)) continue;
		seen[item.id] = ts;
		if (ts > highWater) highWater = ts;
	}
	return { fresh: [], next: { version: 1, startedAt: now, highWater, seen: prune(seen, highWater - lookbackMs) } };
}

/** Keeps comments whose text contains any keyword (case-insensitive); no keywords keeps all. */
export function matchKeywords<T extends { text?: string }>(
	items: T[],
	keywords: string[],
): Array<T & { matched_keyword?: string }> {
	const wanted = keywords.map((k) => k.trim().toLowerCase()).filter(Boolean);
	if (!wanted.length) return items;
	const out: Array<T & { matched_keyword?: string }> = [];
	for (const item of items) {
		const text = (item.text ?? '').toLowerCase();
		const hit = wanted.find((keyword) => text.includes(keyword));
		if (hit) out.push({ ...item, matched_keyword: hit });
	}
	return out;
}
