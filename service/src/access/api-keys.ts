// API keys: shown once, stored as a SHA-256 hash (keys are 190 bits of randomness, so a fast hash is
// the right tool), scoped, revocable. Pure module.
import { createHash, randomBytes } from 'node:crypto';

export const SCOPES = ['library:read', 'library:write', 'contacts', 'campaigns', 'events', 'send-budget'] as const;
export type Scope = (typeof SCOPES)[number];

const KEY_PREFIX = 'tp_';
const KEY_PATTERN = /^tp_[A-Za-z0-9_-]{32}$/;

interface NewApiKey {
	/** The key itself: shown once, never stored. */
	key: string;
	/** What lists show to recognise a key (`tp_` + 6 characters). */
	prefix: string;
	hash: Buffer;
}

export function generateApiKey(): NewApiKey {
	const key = KEY_PREFIX + randomBytes(24).toString('base64url');
	return { key, prefix: key.slice(0, 9), hash: hashApiKey(key) };
}

export function hashApiKey(key: string): Buffer {
	return createHash('sha256').update(key, 'utf8').digest();
}

/** Whether a string has the shape of one of our keys (cheap rejection before any database work). */
export function looksLikeApiKey(value: string): boolean {
	return KEY_PATTERN.test(value);
}

export class ScopeError extends Error {}

/** Parses `a,b,c` into known scopes; unknown names are an error naming them and the valid ones. */
export function parseScopes(value: string | readonly string[]): Scope[] {
	const names = (typeof value === 'string' ? value.split(',') : [...value]).map((s) => s.trim()).filter(Boolean);
	if (names.length === 0) throw new ScopeError(`No scopes given. Valid scopes: ${SCOPES.join(', ')}.`);
	const unknown = names.filter((name) => !(SCOPES as readonly string[]).includes(name));
	if (unknown.length)
		throw new ScopeError(`Unknown scope(s): ${unknown.join(', ')}. Valid scopes: ${SCOPES.join(', ')}.`);
	return [...new Set(names)] as Scope[];
}

export function hasScope(granted: readonly string[], needed: Scope): boolean {
	return granted.includes(needed);
}

/** Reads a bearer token from an Authorization header value. */
export function bearerToken(header: string | undefined): string | undefined {
	if (!header) return undefined;
	const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
	return match?.[1];
}
