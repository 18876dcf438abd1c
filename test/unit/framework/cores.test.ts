import { NodeApiError, NodeOperationError, type INode, type JsonObject } from 'n8n-workflow';
import { errorItem, InputError, toNodeError } from '../../../nodes/shared/errors';
import { DEFAULT_GRAPH_VERSION, graphBase, graphUrl } from '../../../nodes/shared/graph';
import { headerValue, parseRetryAfter, retryAfterFromHeaders } from '../../../nodes/shared/headers';
import {
	collectPages,
	graphCursor,
	nextGraphCursor,
	serviceCursor,
	type GraphPage,
	type ServicePage,
} from '../../../nodes/shared/pagination';

const node: INode = {
	id: '1',
	name: 'Test',
	type: 'n8n-nodes-tiltedprompts.test',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

describe('Retry-After: one parser', () => {
	const now = Date.parse('2026-11-30T12:00:00Z');
	it('reads delta-seconds, fractions and HTTP dates in milliseconds', () => {
		expect(parseRetryAfter('7', now)).toBe(7000);
		expect(parseRetryAfter(' 1.5 ', now)).toBe(1500);
		expect(parseRetryAfter(['3', '9'], now)).toBe(3000);
		expect(parseRetryAfter('Mon, 30 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
		expect(parseRetryAfter('Mon, 30 Nov 2026 11:00:00 GMT', now)).toBe(0);
	});
	it('gives undefined for absent or unreadable values', () => {
		expect(parseRetryAfter(undefined, now)).toBeUndefined();
		expect(parseRetryAfter('', now)).toBeUndefined();
		expect(parseRetryAfter('soon', now)).toBeUndefined();
		expect(parseRetryAfter('-5', now)).toBeUndefined();
	});
	it('finds the header whatever the case of its name', () => {
		expect(retryAfterFromHeaders({ 'Retry-After': '2' }, now)).toBe(2000);
		expect(retryAfterFromHeaders({ 'retry-after': '4' }, now)).toBe(4000);
		expect(retryAfterFromHeaders({ other: '4' }, now)).toBeUndefined();
		expect(headerValue({ 'X-App-Usage': ['a', 'b'] }, 'x-app-usage')).toBe('a,b');
	});
});

describe('Graph URLs: one default version', () => {
	it('builds the base from host and version, trimming slashes, defaulting both', () => {
		expect(graphBase('http://127.0.0.1:9/', '/v23.0/')).toBe('http://127.0.0.1:9/v23.0');
		expect(graphBase(undefined, '')).toBe(`https://graph.facebook.com/${DEFAULT_GRAPH_VERSION}`);
		expect(graphUrl('https://h/v1', { path: '/123/messages' })).toBe('https://h/v1/123/messages');
		expect(graphUrl('https://h/v1', { url: 'https://cdn/x' })).toBe('https://cdn/x');
	});
});

describe('errorItem / toNodeError: one shape, one conversion', () => {
	it('a service NodeApiError gives its code and field errors', () => {
		const error = new NodeApiError(
			node,
			{
				status: 422,
				code: 'validation_failed',
				fields: [{ field: 'slug', message: 'is taken' }],
			} as unknown as JsonObject,
			{
				message: 'TiltedPrompts service error 422 (validation_failed): invalid — correct the fields listed below',
				description: 'invalid\n• slug: is taken',
				httpCode: '422',
			},
		);
		expect(errorItem(error)).toEqual({
			message: 'TiltedPrompts service error 422 (validation_failed): invalid — correct the fields listed below',
			description: 'invalid\n• slug: is taken',
			http_status: 422,
			code: 'validation_failed',
			subcode: null,
			details: null,
			fbtrace_id: null,
			fields: [{ field: 'slug', message: 'is taken' }],
		});
	});
	it("Meta's error_data as a string is the details", () => {
		const error = new NodeApiError(
			node,
			{ code: 131026, error_data: 'Receiver is incapable', fbtrace_id: 'T1' },
			{ message: 'x', httpCode: '400' },
		);
		expect(errorItem(error)).toMatchObject({
			code: 131026,
			details: 'Receiver is incapable',
			fbtrace_id: 'T1',
			subcode: null,
			http_status: 400,
		});
	});
	it('a plain error keeps its message; n8n errors pass through unchanged', () => {
		expect(errorItem(new Error('socket hang up'))).toEqual({
			message: 'socket hang up',
			description: null,
			http_status: null,
			code: null,
			subcode: null,
			details: null,
			fbtrace_id: null,
			fields: [],
		});
		const api = new NodeApiError(node, { message: 'x' }, { message: 'x' });
		expect(toNodeError(node, api)).toBe(api);
		const converted = toNodeError(node, new InputError('Text is required', 'Give the message text.'), 3);
		expect(converted).toBeInstanceOf(NodeOperationError);
		expect(converted).toMatchObject({
			message: 'Text is required',
			description: 'Give the message text.',
			context: { itemIndex: 3 },
		});
		expect(toNodeError(node, new Error('boom'))).toMatchObject({ message: 'boom' });
	});
});

describe('collectPages with a cursor adapter per API', () => {
	function graphPages(total: number, perPage: number, asked: number[]) {
		return async (after: string | undefined, pageSize: number): Promise<GraphPage<number>> => {
			asked.push(pageSize);
			const start = after ? Number(after) + 1 : 0;
			const data = Array.from({ length: Math.min(perPage, total - start) }, (_, k) => start + k);
			const last = data[data.length - 1];
			return {
				data,
				paging: {
					cursors: { after: String(last) },
					...(last < total - 1 ? { next: `https://graph.facebook.com/v24.0/x?after=${last}` } : {}),
				},
			};
		};
	}
	it('Graph: follows paging.next until the end, asking only for what is missing', async () => {
		const asked: number[] = [];
		expect(
			await collectPages(graphPages(7, 3, asked), graphCursor<number>(), { returnAll: true, pageSize: 3 }),
		).toEqual([0, 1, 2, 3, 4, 5, 6]);
		const limited: number[] = [];
		expect(await collectPages(graphPages(50, 3, limited), graphCursor<number>(), { limit: 5, pageSize: 3 })).toEqual([
			0, 1, 2, 3, 4,
		]);
		expect(limited).toEqual([3, 2]);
		const fixed: number[] = [];
		await collectPages(graphPages(50, 3, fixed), graphCursor<number>(), {
			limit: 5,
			pageSize: 3,
			shrinkLastPage: false,
		});
		expect(fixed).toEqual([3, 3]);
	});
	it('Graph: the last page (no next) stops even with cursors; a next URL alone gives the cursor', () => {
		expect(nextGraphCursor({ data: [], paging: { cursors: { after: 'A' } } })).toBeUndefined();
		expect(nextGraphCursor({ data: [], paging: { next: 'https://graph.facebook.com/v24.0/1/media?after=QVFI' } })).toBe(
			'QVFI',
		);
	});
	it('stops on a repeated cursor and after maxPages', async () => {
		let calls = 0;
		const loop = async (): Promise<GraphPage<number>> => {
			calls++;
			return { data: [calls], paging: { cursors: { after: 'same' }, next: 'https://x/?after=same' } };
		};
		expect(await collectPages(loop, graphCursor<number>(), { returnAll: true })).toEqual([1, 2]);
		calls = 0;
		let n = 0;
		const endless = async (): Promise<GraphPage<number>> => ({
			data: [n],
			paging: { next: `https://x/?after=${++n}` },
		});
		expect(await collectPages(endless, graphCursor<number>(), { returnAll: true, maxPages: 4 })).toHaveLength(4);
	});
	it('service: follows next_cursor, and an empty page ends the list', async () => {
		const pages: Record<string, ServicePage<string>> = {
			first: { data: ['a', 'b'], next_cursor: 'c2' },
			c2: { data: ['c'], next_cursor: 'c3' },
			c3: { data: [], next_cursor: 'c4' },
		};
		const seen: Array<string | undefined> = [];
		const fetch = async (cursor: string | undefined) => {
			seen.push(cursor);
			return pages[cursor ?? 'first'];
		};
		expect(await collectPages(fetch, serviceCursor<string>())).toEqual(['a', 'b', 'c']);
		expect(seen).toEqual([undefined, 'c2', 'c3']);
		expect(await collectPages(fetch, serviceCursor<string>(), { limit: 0 })).toEqual([]);
	});
});
