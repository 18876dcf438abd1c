/**
 * One paginator for every API, with a cursor adapter per API. Pure: the page fetcher is passed in.
 *
 *   const items = await collectPages((cursor, pageSize) => fetchOnePage(cursor, pageSize), graphCursor, { limit: 50 });
 */

export interface CursorAdapter<P, T> {
	/** The items of one page. */
	items(page: P): T[];
	/** The cursor of the following page, or undefined on the last page. */
	next(page: P): string | undefined;
}

/** A Graph API page: `{ data: [...], paging: { cursors: { before, after }, next } }`. */
export interface GraphPage<T> {
	data?: T[];
	paging?: { cursors?: { before?: string; after?: string }; next?: string; previous?: string };
}

/**
 * Graph API cursors: the last page has no `paging.next` (it may still carry cursors), so `next`
 * decides whether to go on; the cursor is `paging.cursors.after`, or the `after` parameter of the
 * `next` URL for edges that give only the URL.
 */
export function nextGraphCursor(page: GraphPage<unknown>): string | undefined {
	if (!page.paging?.next) return undefined;
	const after = page.paging.cursors?.after;
	if (after) return after;
	try {
		return new URL(page.paging.next).searchParams.get('after') ?? undefined;
	} catch {
		return undefined;
	}
}

export function graphCursor<T>(): CursorAdapter<GraphPage<T>, T> {
	return { items: (page) => page.data ?? [], next: nextGraphCursor };
}

/** A TiltedPrompts service page: `{ data: [...], next_cursor }`; an empty page ends the list. */
export interface ServicePage<T> {
	data?: T[];
	next_cursor?: string | null;
}

export function serviceCursor<T>(): CursorAdapter<ServicePage<T>, T> {
	return {
		items: (page) => page.data ?? [],
		next: (page) => ((page.data ?? []).length > 0 && page.next_cursor ? page.next_cursor : undefined),
	};
}

export interface CollectOptions {
	/** Fetch every page (ignores `limit`). */
	returnAll?: boolean;
	/** How many items at most; without it (and without returnAll) every page is fetched. */
	limit?: number;
	/** Page size asked of the API (it may return fewer); default 100. */
	pageSize?: number;
	/** Ask only for the items still missing on the last page (default), or always `pageSize`. */
	shrinkLastPage?: boolean;
	/** Safety stop for runaway cursors; default 1000 pages. */
	maxPages?: number;
}

/**
 * Follows the adapter's cursors until enough items are collected, the API has no next page, or a
 * cursor repeats. `fetchPage(cursor, pageSize)` performs one request (cursor undefined: first page).
 */
export async function collectPages<P, T>(
	fetchPage: (cursor: string | undefined, pageSize: number) => Promise<P>,
	adapter: CursorAdapter<P, T>,
	options: CollectOptions = {},
): Promise<T[]> {
	const wanted = options.returnAll || options.limit === undefined ? Infinity : Math.max(0, Math.floor(options.limit));
	const pageSize = options.pageSize ?? 100;
	const maxPages = options.maxPages ?? 1000;
	const items: T[] = [];
	const seen = new Set<string>();
	let cursor: string | undefined;
	for (let page = 0; page < maxPages && items.length < wanted; page++) {
		const size = options.shrinkLastPage === false ? pageSize : Math.min(pageSize, wanted - items.length);
		const result = await fetchPage(cursor, size);
		for (const item of adapter.items(result)) {
			items.push(item);
			if (items.length >= wanted) return items;
		}
		cursor = adapter.next(result);
		if (!cursor || seen.has(cursor)) break;
		seen.add(cursor);
	}
	return items;
}
