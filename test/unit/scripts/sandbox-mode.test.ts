import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
	SANDBOX_CREDENTIALS,
	SANDBOX_IDS,
	metaMode,
	wireTemplate,
	type WorkflowLike,
} from '../../../scripts/lib/sandbox-mode';

const WORKFLOWS = join(__dirname, '..', '..', '..', 'workflows');

describe('npm start sandbox mode', () => {
	it('runs the sandbox unless real Meta settings are given', () => {
		expect(metaMode({})).toBe('sandbox');
		expect(metaMode({ META_APP_SECRETS: 'abcdefgh12345678' })).toBe('meta');
	});

	it.each(readdirSync(WORKFLOWS).filter((f) => f.endsWith('.json')))(
		'wires %s to the sandbox credentials by id and fills the empty sender number',
		(file) => {
			const original = JSON.parse(readFileSync(join(WORKFLOWS, file), 'utf8')) as WorkflowLike;
			const wired = wireTemplate(original);
			const ids = new Set(Object.values(SANDBOX_CREDENTIALS).map((c) => c.id));
			for (const node of wired.nodes ?? []) {
				for (const ref of Object.values(node.credentials ?? {})) expect(ids.has(ref.id ?? '')).toBe(true);
				const phone = node.parameters?.phoneNumberId as { value?: string } | undefined;
				if (phone && typeof phone === 'object') expect(phone.value).toBeTruthy();
			}
			const before = (original.nodes ?? []).filter((n) => n.credentials).length;
			expect((wired.nodes ?? []).filter((n) => n.credentials).length).toBe(before);
			expect(original).toEqual(JSON.parse(readFileSync(join(WORKFLOWS, file), 'utf8'))); // the file's workflow is not changed in place
			expect(SANDBOX_IDS.phoneNumberId).toBe('106540352242922');
		},
	);
});
