// The node package and the service compile one Standard Webhooks source file (the service's path is a
// link to nodes/shared/standardWebhooks.ts). They must agree in both directions, on awkward bodies too.
import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import * as node from '../../../nodes/shared/standardWebhooks';
import * as service from '../../../service/src/core/standard-webhooks';

const ROOT = join(__dirname, '..', '..', '..');

const bodies = [
	'{"bundle_id":"b","assets":[]}',
	'{"name":"J\\u00f6rg"}',
	Buffer.from('{"name":"Jörg 🎉","note":"नमस्ते"}', 'utf8'),
	Buffer.from([0x7b, 0x7d, 0x0a, 0x00, 0xff]),
	'',
];

describe('the node’s signer and the service’s verifier agree', () => {
	it('are one source file', () => {
		expect(realpathSync(join(ROOT, 'service/src/core/standard-webhooks.ts'))).toBe(
			realpathSync(join(ROOT, 'nodes/shared/standardWebhooks.ts')),
		);
	});

	it.each(bodies.map((body, index) => [index, body] as const))(
		'body #%d, node signs → service verifies, and back',
		(_index, body) => {
			for (let round = 0; round < 20; round++) {
				const secret = `whsec_${randomBytes(24 + (round % 3) * 8).toString('base64')}`;
				const id = `msg_${randomBytes(8).toString('hex')}`;
				const now = 1_750_000_000 + round;
				const nodeHeaders = node.signHeaders([secret], id, now, body);
				expect(service.verify(body, nodeHeaders, [secret], { nowSeconds: now })).toMatchObject({ id, timestamp: now });

				const serviceHeaders = service.signHeaders([secret], id, now, body);
				expect(serviceHeaders['webhook-signature']).toBe(nodeHeaders['webhook-signature']);
				expect(node.verify(body, serviceHeaders, [secret], { nowSeconds: now })).toEqual({
					id,
					timestamp: now,
					secretIndex: 0,
				});
			}
		},
	);

	it('both reject what the other signed with a different secret', () => {
		const body = '{"a":1}';
		const headers = node.signHeaders([`whsec_${randomBytes(32).toString('base64')}`], 'msg_x', 1_750_000_000, body);
		expect(() =>
			service.verify(body, headers, [`whsec_${randomBytes(32).toString('base64')}`], { nowSeconds: 1_750_000_000 }),
		).toThrow(service.WebhookVerificationError);
	});
});
