// GET /api/v1/me: who the API key belongs to and what it may do. Any valid key may ask; the
// TiltedPrompts credential's test calls it, so a wrong or revoked key fails in the n8n editor.
import type { Pool } from 'pg';
import { z } from 'zod';
import type { ApiBuilder } from './route';

const Me = z.object({
	user: z.object({ id: z.string(), email: z.string(), tier: z.enum(['free', 'pro']) }),
	key: z.object({ id: z.string(), scopes: z.array(z.string()) }),
});

export function meRoutes(api: ApiBuilder, _pool: Pool): void {
	api.schema('Me', Me);
	api.route({
		method: 'get',
		path: '/api/v1/me',
		summary: 'The API key’s user, tier and scopes',
		tag: 'access',
		scope: null,
		success: { status: 200, description: 'The key is valid.', schema: Me },
		handler: async ({ principal }) => ({
			body: {
				user: { id: principal.userId, email: principal.email, tier: principal.tier },
				key: { id: principal.keyId, scopes: principal.scopes },
			},
		}),
	});
}
