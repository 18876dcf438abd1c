import {
	bearerToken,
	generateApiKey,
	hashApiKey,
	hasScope,
	looksLikeApiKey,
	parseScopes,
	ScopeError,
} from './api-keys';

describe('API keys', () => {
	it('generates distinct keys whose hash, not the key, is stored', () => {
		const a = generateApiKey();
		const b = generateApiKey();
		expect(a.key).not.toEqual(b.key);
		expect(looksLikeApiKey(a.key)).toBe(true);
		expect(a.key.startsWith(a.prefix)).toBe(true);
		expect(a.hash.equals(hashApiKey(a.key))).toBe(true);
		expect(a.hash.toString('hex')).not.toContain(Buffer.from(a.key).toString('hex'));
	});
	it('rejects strings that are not keys before any lookup', () => {
		expect(looksLikeApiKey('tp_short')).toBe(false);
		expect(looksLikeApiKey(`xx_${'a'.repeat(32)}`)).toBe(false);
	});
	it('parses scopes and names the unknown ones', () => {
		expect(parseScopes('library:read, contacts,contacts')).toEqual(['library:read', 'contacts']);
		expect(() => parseScopes('contacts,admin')).toThrow(ScopeError);
		expect(() => parseScopes('contacts,admin')).toThrow(/admin.*Valid scopes: library:read/);
		expect(() => parseScopes('')).toThrow(/No scopes/);
		expect(hasScope(['contacts'], 'campaigns')).toBe(false);
		expect(hasScope(['contacts', 'campaigns'], 'campaigns')).toBe(true);
	});
	it('reads bearer tokens', () => {
		expect(bearerToken('Bearer abc')).toBe('abc');
		expect(bearerToken('bearer  abc ')).toBe('abc');
		expect(bearerToken('Basic abc')).toBeUndefined();
		expect(bearerToken(undefined)).toBeUndefined();
	});
});
