// Cursor pagination of Graph API edges. Pure: the page fetcher is passed in.
//
// Meta pages look like { data: [...], paging: { cursors: { before, after }, next } }; the last page
// has no `next` (it may still carry cursors), so `next` decides whether to go on.

export interface GraphPage<T> {
	data?: T[];
	paging?: { cursors?: { before?: string; after?: string }; next?: string; previous?: string };
}

/** The cursor for the following page, or undefined on the last page. */
export function nextAfterCursor(page: GraphPage<unknown>): string | undefined {
	if (!page.paging?.next) return undefined;
	const after = page.paging.cursors?.after;
	if (after) return after;
	// Some edges give only a `next` URL; take its `after` parameter.
	try {
		return new URL(page.paging.next).searchParams.get('after') ?? undefined;
	} catch {
		return undefined;
	}
}

export interface CollectOptions {
	/** Fetch every page. */
	returnAll: boolean;
	/** With returnAll false: how many items at most. */
	limit: number;
	/** Page size asked of Meta (it may return fewer). */
	pageSize?: number;
	/** Safety stop for runaway cursors. */
	maxPages?: number;
}

/**
 * Follows `after` cursors until enough items are collected or Meta has no next page.
 * `fetchPage(after, pageSize)` performs one request.
 */
export async function collectPages<T>(
	fetchPage: (after: string | undefined, pageSize: number) => Promise<GraphPage<T>>,
	options: CollectOptions,
): Promise<T[]> {
	const wanted = options.returnAll ? Infinity : Math.max(0, Math.floor(options.limit));
	const maxPages = options.maxPages ?? 1000;
	const items: T[] = [];
	if (wanted === 0) return items;
	let after: string | undefined;
	const seenCursors = new Set<string>();
	for (let page = 0; page < maxPages; page++) {
		const remaining = wanted - items.length;
		const pageSize = Math.min(options.pageSize ?? 100, Number.isFinite(remaining) ? remaining : Infinity);
		const result = await fetchPage(after, pageSize);
		for (const item of result.data ?? []) {
			items.push(item);
			if (items.length >= wanted) return items;
		}
		after = nextAfterCursor(result);
		if (!after || seenCursors.has(after)) break;
		seenCursors.add(after);
	}
	return items;
}
