// Pure cores of the Instagram nodes: usage-header back-off, cursor pagination, container polling,
// and the trigger's "what is new" logic.
import { backoffFor, parseUsageHeaders } from '../../../nodes/shared/metaUsage';
import {
	ContainerNotPublishableError,
	pollDelay,
	waitForContainer,
	type ContainerStatus,
} from '../../../nodes/Instagram/shared/containerPolling';
import { collectPages, graphCursor, nextGraphCursor, type GraphPage } from '../../../nodes/shared/pagination';
import { firstPoll, matchKeywords, selectNew } from '../../../nodes/InstagramTrigger/seen';

describe('usage headers → back-off', () => {
	it('takes the highest counter of X-App-Usage and X-Business-Use-Case-Usage and names it', () => {
		const usage = parseUsageHeaders({
			'x-app-usage': '{"call_count":28,"total_time":25,"total_cputime":25}',
			'X-Business-Use-Case-Usage':
				'{"17841400000000001":[{"type":"instagram","call_count":91,"total_cputime":10,"total_time":12,"estimated_time_to_regain_access":0}]}',
		});
		expect(usage).toEqual({
			maxPercent: 91,
			regainAccessMinutes: 0,
			source: 'X-Business-Use-Case-Usage instagram call_count',
		});
	});

	it('treats missing or unreadable headers as "Meta said nothing", not as 0 %', () => {
		expect(parseUsageHeaders({})).toBeUndefined();
		expect(parseUsageHeaders({ 'x-app-usage': 'not json' })).toBeUndefined();
		expect(backoffFor(undefined)).toEqual({ action: 'proceed' });
	});

	it('goes on below the threshold, waits longer the closer to 100 %, and stops when throttled for longer than it may wait', () => {
		const policy = { slowDownAtPercent: 75, maxWaitMs: 60_000 };
		expect(backoffFor({ maxPercent: 50, regainAccessMinutes: 0, source: 'x' }, policy).action).toBe('proceed');
		const at80 = backoffFor({ maxPercent: 80, regainAccessMinutes: 0, source: 'x' }, policy);
		const at95 = backoffFor({ maxPercent: 95, regainAccessMinutes: 0, source: 'x' }, policy);
		expect(at80.action).toBe('wait');
		expect(at95.action).toBe('wait');
		if (at80.action === 'wait' && at95.action === 'wait') {
			expect(at95.waitMs).toBeGreaterThan(at80.waitMs);
			expect(at95.waitMs).toBeLessThanOrEqual(60_000);
			expect(at95.message).toContain('95 %');
		}
		const throttled = backoffFor(
			{ maxPercent: 100, regainAccessMinutes: 12, source: 'X-Business-Use-Case-Usage instagram call_count' },
			policy,
		);
		expect(throttled).toMatchObject({ action: 'stop' });
		if (throttled.action === 'stop') expect(throttled.message).toContain('about 12 min');
		expect(
			backoffFor(
				{ maxPercent: 100, regainAccessMinutes: 1, source: 'x' },
				{ slowDownAtPercent: 75, maxWaitMs: 120_000 },
			),
		).toMatchObject({ action: 'wait', waitMs: 60_000 });
	});
});

describe('cursor pagination', () => {
	const pages = (total: number, size: number) => {
		const calls: Array<{ after?: string; size: number }> = [];
		const fetch = async (after: string | undefined, pageSize: number): Promise<GraphPage<number>> => {
			calls.push({ after, size: pageSize });
			const start = after ? Number(after) + 1 : 0;
			const n = Math.min(size, pageSize);
			const data = Array.from({ length: Math.max(0, Math.min(n, total - start)) }, (_, i) => start + i);
			const last = start + data.length - 1;
			return {
				data,
				paging: {
					cursors: { after: String(last) },
					...(last < total - 1 ? { next: `https://graph.facebook.com/v24.0/x?after=${last}` } : {}),
				},
			};
		};
		return { fetch, calls };
	};

	it('returns everything across pages when asked for all, and stops on the page without `next`', async () => {
		const { fetch, calls } = pages(130, 50);
		const items = await collectPages(fetch, graphCursor<number>(), { returnAll: true, limit: 0, pageSize: 50 });
		expect(items).toEqual(Array.from({ length: 130 }, (_, i) => i));
		expect(calls).toHaveLength(3);
	});

	it('stops at the limit and asks only for what is still missing', async () => {
		const { fetch, calls } = pages(130, 50);
		expect(
			await collectPages(fetch, graphCursor<number>(), { returnAll: false, limit: 70, pageSize: 50 }),
		).toHaveLength(70);
		expect(calls.map((c) => c.size)).toEqual([50, 20]);
	});

	it('reads the cursor from `next` when Meta gives no cursors, and none on the last page', () => {
		expect(nextGraphCursor({ data: [], paging: { next: 'https://graph.facebook.com/v24.0/1/media?after=QVFI' } })).toBe(
			'QVFI',
		);
		expect(nextGraphCursor({ data: [], paging: { cursors: { after: 'QVFI' } } })).toBeUndefined();
	});
});

describe('container polling', () => {
	const schedule = { initialDelayMs: 1000, factor: 2, maxDelayMs: 8000, maxTotalWaitMs: 20_000 };
	const sequence = (...statuses: ContainerStatus[]) => {
		let i = 0;
		return async () => statuses[Math.min(i++, statuses.length - 1)];
	};

	it('backs off exponentially up to the cap', () => {
		expect([0, 1, 2, 3, 4, 5].map((n) => pollDelay(n, schedule))).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
	});

	it('waits through IN_PROGRESS until FINISHED', async () => {
		const waits: number[] = [];
		const result = await waitForContainer(
			'c1',
			sequence({ status_code: 'IN_PROGRESS' }, { status_code: 'IN_PROGRESS' }, { status_code: 'FINISHED' }),
			async (ms) => void waits.push(ms),
			schedule,
		);
		expect(result.checks).toBe(3);
		expect(waits).toEqual([1000, 2000]);
	});

	it("surfaces ERROR with Meta's status text and EXPIRED as such", async () => {
		const error = await waitForContainer(
			'c2',
			sequence({ status_code: 'ERROR', status: 'Error: Unsupported format (2207026)' }),
			async () => undefined,
			schedule,
		).catch((e) => e);
		expect(error).toBeInstanceOf(ContainerNotPublishableError);
		expect(error).toMatchObject({ kind: 'ERROR', statusText: 'Error: Unsupported format (2207026)' });
		expect(error.message).toContain('Unsupported format');
		const expired = await waitForContainer(
			'c3',
			sequence({ status_code: 'EXPIRED' }),
			async () => undefined,
			schedule,
		).catch((e) => e);
		expect(expired).toMatchObject({ kind: 'EXPIRED' });
	});

	it('gives up when the planned waits exceed the budget', async () => {
		const waits: number[] = [];
		const error = await waitForContainer(
			'c4',
			sequence({ status_code: 'IN_PROGRESS' }),
			async (ms) => void waits.push(ms),
			schedule,
		).catch((e) => e);
		expect(error).toMatchObject({ kind: 'TIMEOUT' });
		expect(waits.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(20_000);
	});
});

describe('trigger: what is new', () => {
	const t = (iso: string) => iso.replace('Z', '+0000').replace(/\.\d{3}/, '');
	const now = Date.parse('2026-11-20T12:00:00Z');
	const old = [
		{ id: 'a', timestamp: t('2026-11-19T10:00:00.000Z') },
		{ id: 'b', timestamp: t('2026-11-20T11:00:00.000Z') },
	];

	it('first poll starts from now: nothing old is emitted, and it is remembered', () => {
		const { fresh, next } = firstPoll(now, old);
		expect(fresh).toEqual([]);
		expect(selectNew(next, old).fresh).toEqual([]);
	});

	it('first poll with a backfill date emits what came after it, oldest first', () => {
		const { fresh } = firstPoll(now, [...old].reverse(), Date.parse('2026-11-20T00:00:00Z'));
		expect(fresh.map((x) => x.id)).toEqual(['b']);
	});

	it('emits each new item once, oldest first, across polls', () => {
		const start = firstPoll(now, old).next;
		const c = { id: 'c', timestamp: t('2026-11-20T12:05:00.000Z') };
		const d = { id: 'd', timestamp: t('2026-11-20T12:06:00.000Z') };
		const first = selectNew(start, [d, c, ...old]);
		expect(first.fresh.map((x) => x.id)).toEqual(['c', 'd']);
		const second = selectNew(first.next, [d, c, ...old]);
		expect(second.fresh).toEqual([]);
		// Two items with the same second are both emitted.
		const e = { id: 'e', timestamp: t('2026-11-20T12:06:00.000Z') };
		expect(selectNew(second.next, [e, d, c]).fresh.map((x) => x.id)).toEqual(['e']);
	});

	it('keeps only comments with a keyword (any case) and says which matched', () => {
		const items = [
			{ id: '1', text: 'What is the PRICE?' },
			{ id: '2', text: 'nice' },
		];
		expect(matchKeywords(items, ['price', 'link'])).toEqual([
			{ id: '1', text: 'What is the PRICE?', matched_keyword: 'price' },
		]);
		expect(matchKeywords(items, [])).toHaveLength(2);
	});
});
