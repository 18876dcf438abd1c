import { randomBytes } from 'node:crypto';
import { createSecretBox, DecryptionError, EncryptionKeysError, parseEncryptionKeys } from './secret-box';

const key = () => randomBytes(32).toString('base64');

describe('ENCRYPTION_KEYS', () => {
	it('parses id:key pairs, first one active', () => {
		const keys = parseEncryptionKeys(`k2:${key()}, k1:${key()}`);
		expect(keys.map((k) => k.id)).toEqual(['k2', 'k1']);
		expect(keys[0].key).toHaveLength(32);
	});
	it.each([
		['', /empty/],
		[key(), /no key id/],
		[`k1:${randomBytes(16).toString('base64')}`, /16 bytes; AES-256 needs 32/],
		[`k 1:${key()}`, /key id/],
		[`k1:${key()},k1:${key()}`, /twice/],
	])('rejects %p with a reason', (value, message) => {
		expect(() => parseEncryptionKeys(value)).toThrow(EncryptionKeysError);
		expect(() => parseEncryptionKeys(value)).toThrow(message);
	});
	it('never echoes key material in errors', () => {
		const material = randomBytes(16).toString('base64');
		try {
			parseEncryptionKeys(`k1:${material}`);
		} catch (error) {
			expect((error as Error).message).not.toContain(material);
		}
	});
});

describe('secret box (AES-256-GCM with key id)', () => {
	it('round-trips, with a fresh IV each time', () => {
		const box = createSecretBox(parseEncryptionKeys(`k1:${key()}`));
		const a = box.seal('whsec_secret');
		const b = box.seal('whsec_secret');
		expect(a).not.toEqual(b);
		expect(a).not.toContain('whsec_secret');
		expect(box.open(a)).toBe('whsec_secret');
		expect(box.keyIdOf(a)).toBe('k1');
	});
	it('opens secrets sealed with an older key after rotation, seals with the new one', () => {
		const k1 = key();
		const old = createSecretBox(parseEncryptionKeys(`k1:${k1}`));
		const sealed = old.seal('s');
		const rotated = createSecretBox(parseEncryptionKeys(`k2:${key()},k1:${k1}`));
		expect(rotated.open(sealed)).toBe('s');
		expect(rotated.keyIdOf(rotated.seal('s'))).toBe('k2');
	});
	it('refuses a tampered ciphertext, a relabelled key id and an unknown key', () => {
		const k1 = key();
		const box = createSecretBox(parseEncryptionKeys(`k1:${k1},k2:${key()}`));
		const sealed = box.seal('secret value');
		const parts = sealed.split('.');
		const flipped = Buffer.from(parts[3], 'base64url');
		flipped[0] ^= 1;
		expect(() => box.open([...parts.slice(0, 3), flipped.toString('base64url'), parts[4]].join('.'))).toThrow(
			DecryptionError,
		);
		expect(() => box.open(['v1', 'k2', ...parts.slice(2)].join('.'))).toThrow(DecryptionError);
		expect(() => createSecretBox(parseEncryptionKeys(`k3:${key()}`)).open(sealed)).toThrow(/not in ENCRYPTION_KEYS/);
		expect(() => box.open('garbage')).toThrow(DecryptionError);
	});
});
