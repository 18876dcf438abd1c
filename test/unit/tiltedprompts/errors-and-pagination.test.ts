import { extractFieldErrors, summarizeServiceError } from '../../../nodes/TiltedPrompts/shared/errors';
import { parseRetryAfter } from '../../../nodes/shared/headers';
import { collectPages, serviceCursor } from '../../../nodes/shared/pagination';

describe('service error summaries', () => {
	it('lists each invalid field of a 422 on its own line, from zod issues', () => {
		const summary = summarizeServiceError(422, {
			error: {
				code: 'validation_failed',
				message: 'The bundle is invalid.',
				details: [
					{ path: ['assets', 0, 'title'], message: 'Required' },
					{ path: ['assets', 2, 'type'], message: 'Invalid enum value' },
				],
			},
		});
		expect(summary.fields).toEqual([
			{ field: 'assets[0].title', message: 'Required' },
			{ field: 'assets[2].type', message: 'Invalid enum value' },
		]);
		expect(summary.description.split('\n')).toEqual([
			'The bundle is invalid.',
			'• assets[0].title: Required',
			'• assets[2].type: Invalid enum value',
		]);
		expect(summary.message).toContain('422 (validation_failed)');
		expect(summary.message).toContain('correct the fields listed below');
	});

	it('reads zod flatten output and plain field maps', () => {
		expect(
			extractFieldErrors({ formErrors: ['Body must be an object'], fieldErrors: { wa_id: ['Invalid number'] } }),
		).toEqual([
			{ field: '', message: 'Body must be an object' },
			{ field: 'wa_id', message: 'Invalid number' },
		]);
		expect(extractFieldErrors({ name: 'Too long' })).toEqual([{ field: 'name', message: 'Too long' }]);
	});

	it('tells the user what to do on 401 and 403', () => {
		expect(summarizeServiceError(401, { error: { code: 'unauthorized', message: 'Invalid API key' } }).message).toMatch(
			/check the API key in the TiltedPrompts credential/,
		);
		expect(
			summarizeServiceError(403, { error: { code: 'forbidden', message: 'Missing scope campaigns' } }).message,
		).toMatch(/Missing scope campaigns — create an API key with the scope/);
	});

	it('survives a body that is not the service error shape', () => {
		const summary = summarizeServiceError(502, '<html>Bad gateway</html>');
		expect(summary.code).toBe('service_error');
		expect(summary.message).toContain('<html>Bad gateway</html>');
	});

	it('reads Retry-After as seconds or as an HTTP date', () => {
		expect(parseRetryAfter('7')).toBe(7_000);
		expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', Date.parse('2026-01-01T00:00:00Z'))).toBe(10_000);
		expect(parseRetryAfter(undefined)).toBeUndefined();
		expect(parseRetryAfter('soon')).toBeUndefined();
	});
});

describe('cursor pagination', () => {
	const all = Array.from({ length: 23 }, (_, i) => ({ n: i }));
	function pages(pageSizes: number[] = []) {
		return async (cursor: string | undefined, size: number) => {
			pageSizes.push(size);
			const start = cursor ? Number(cursor) : 0;
			const data = all.slice(start, start + size);
			const next = start + size < all.length ? String(start + size) : null;
			return { data, next_cursor: next };
		};
	}

	it('returns every item across pages when returning all', async () => {
		const sizes: number[] = [];
		const items = await collectPages(pages(sizes), serviceCursor<{ n: number }>(), { pageSize: 10 });
		expect(items.map((item) => item.n)).toEqual(all.map((item) => item.n));
		expect(sizes).toEqual([10, 10, 10]);
	});

	it('stops at the limit and asks only for what it still needs', async () => {
		const sizes: number[] = [];
		const items = await collectPages(pages(sizes), serviceCursor<{ n: number }>(), { pageSize: 10, limit: 12 });
		expect(items.map((item) => item.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
		expect(sizes).toEqual([10, 2]);
	});

	it('stops when the service repeats a cursor instead of looping forever', async () => {
		let calls = 0;
		const items = await collectPages(async () => {
			calls++;
			return { data: [{ n: calls }], next_cursor: 'same' };
		}, serviceCursor<{ n: number }>());
		expect(calls).toBe(2);
		expect(items).toHaveLength(2);
	});
});
