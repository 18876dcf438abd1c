import type { IncomingMessage } from 'node:http';
import { clientIp, samePath } from './fast-path';

describe('samePath: express routing of a fast-path route', () => {
	it.each([
		['/webhooks/meta', true],
		['/webhooks/meta/', true],
		['/WebHooks/Meta?hub=1', true],
		['/webhooks/meta//', false],
		['/webhooks/metadata', false],
		['/webhooks', false],
		[undefined, false],
	])('%s → %s', (url, expected) => {
		expect(samePath(url, '/webhooks/meta')).toBe(expected);
	});
});

describe('clientIp: the address express shows for a trust-proxy hop count', () => {
	const req = (remote: string, forwarded?: string) =>
		({
			socket: { remoteAddress: remote },
			headers: forwarded ? { 'x-forwarded-for': forwarded } : {},
		}) as unknown as IncomingMessage;
	it('is the socket address without trusted hops, whatever the header says', () => {
		expect(clientIp(req('10.0.0.2', '1.2.3.4'), 0)).toBe('10.0.0.2');
	});
	it('is the address the trusted proxies saw, counting from the nearest', () => {
		expect(clientIp(req('10.0.0.2', '1.2.3.4, 172.16.0.1'), 1)).toBe('172.16.0.1');
		expect(clientIp(req('10.0.0.2', '1.2.3.4, 172.16.0.1'), 2)).toBe('1.2.3.4');
		expect(clientIp(req('10.0.0.2', '1.2.3.4'), 5)).toBe('1.2.3.4');
		expect(clientIp(req('10.0.0.2'), 1)).toBe('10.0.0.2');
	});
});
