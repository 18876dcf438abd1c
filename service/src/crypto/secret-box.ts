// Secrets the service stores (subscription signing secrets) are encrypted at rest with AES-256-GCM.
// Each ciphertext names the key that sealed it, so keys rotate: the first key of ENCRYPTION_KEYS seals,
// every listed key opens. Pure module: no I/O, no logging.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface EncryptionKey {
	id: string;
	key: Buffer;
}

export class EncryptionKeysError extends Error {}
export class DecryptionError extends Error {}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Parses `ENCRYPTION_KEYS`: comma-separated `<id>:<base64 of 32 bytes>`, the first one seals new
 * secrets (e.g. `k2:…,k1:…` while rotating from k1 to k2). Errors never echo key material.
 */
export function parseEncryptionKeys(value: string): EncryptionKey[] {
	const entries = value
		.split(',')
		.map((part) => part.trim())
		.filter(Boolean);
	if (entries.length === 0)
		throw new EncryptionKeysError('ENCRYPTION_KEYS is empty: expected "<id>:<base64 32-byte key>[,…]".');
	const keys: EncryptionKey[] = [];
	for (const [index, entry] of entries.entries()) {
		const colon = entry.indexOf(':');
		if (colon <= 0) {
			throw new EncryptionKeysError(
				`ENCRYPTION_KEYS entry ${index + 1} has no key id: expected "<id>:<base64 32-byte key>".`,
			);
		}
		const id = entry.slice(0, colon);
		if (!KEY_ID.test(id)) {
			throw new EncryptionKeysError(
				`ENCRYPTION_KEYS entry ${index + 1}: the key id may use letters, digits, "_" and "-" (at most 32).`,
			);
		}
		const key = Buffer.from(entry.slice(colon + 1), 'base64');
		if (key.length !== 32) {
			throw new EncryptionKeysError(
				`ENCRYPTION_KEYS key "${id}" decodes to ${key.length} bytes; AES-256 needs 32 (generate one with: openssl rand -base64 32).`,
			);
		}
		if (keys.some((k) => k.id === id)) throw new EncryptionKeysError(`ENCRYPTION_KEYS lists the key id "${id}" twice.`);
		keys.push({ id, key });
	}
	return keys;
}

export interface SecretBox {
	/** Id of the key that seals new secrets. */
	readonly activeKeyId: string;
	seal(plaintext: string): string;
	open(sealed: string): string;
	/** Id of the key a sealed value was made with (for re-encryption after rotation). */
	keyIdOf(sealed: string): string;
}

// Sealed format: v1.<key id>.<iv b64url>.<ciphertext b64url>.<tag b64url>
export function createSecretBox(keys: EncryptionKey[]): SecretBox {
	if (keys.length === 0) throw new EncryptionKeysError('At least one encryption key is needed.');
	const byId = new Map(keys.map((k) => [k.id, k.key]));
	const active = keys[0];
	const parse = (sealed: string) => {
		const parts = sealed.split('.');
		if (parts.length !== 5 || parts[0] !== 'v1') throw new DecryptionError('Not a sealed secret.');
		return { keyId: parts[1], iv: parts[2], data: parts[3], tag: parts[4] };
	};
	return {
		activeKeyId: active.id,
		seal(plaintext) {
			const iv = randomBytes(12);
			const cipher = createCipheriv('aes-256-gcm', active.key, iv);
			// The key id is authenticated too, so a ciphertext cannot be relabelled.
			cipher.setAAD(Buffer.from(active.id));
			const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
			const tag = cipher.getAuthTag();
			return ['v1', active.id, iv.toString('base64url'), data.toString('base64url'), tag.toString('base64url')].join(
				'.',
			);
		},
		open(sealed) {
			const { keyId, iv, data, tag } = parse(sealed);
			const key = byId.get(keyId);
			if (!key)
				throw new DecryptionError(`The secret was sealed with key "${keyId}", which is not in ENCRYPTION_KEYS.`);
			try {
				const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
				decipher.setAAD(Buffer.from(keyId));
				decipher.setAuthTag(Buffer.from(tag, 'base64url'));
				return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
			} catch {
				throw new DecryptionError(
					`The secret sealed with key "${keyId}" failed authentication (tampered or wrong key).`,
				);
			}
		},
		keyIdOf(sealed) {
			return parse(sealed).keyId;
		},
	};
}
