// OpenAPI 3.1 document (GET /openapi.json), generated from the zod schemas. Every router module
// contributes its paths (and component schemas); createApp merges them.
import { z } from 'zod';
import { bundleSchema, ingestResultSchema } from './core/bundle';

type JsonSchema = Record<string, unknown>;
export type PathItem = Record<string, unknown>;

export interface OpenApiContribution {
	paths: Record<string, PathItem>;
	schemas?: Record<string, JsonSchema>;
}

/** JSON Schema (2020-12, what OpenAPI 3.1 uses) of a zod schema, as a request (`input`) or response (`output`). */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'output'): JsonSchema {
	const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
		target: 'draft-2020-12',
		io,
		unrepresentable: 'any',
	}) as JsonSchema;
	return rest;
}

const errorSchema = z.object({
	error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const errorResponse = (description: string) => ({
	description,
	content: { 'application/json': { schema: ref('Error') } },
});

export const coreContribution: OpenApiContribution = {
	schemas: {
		Error: jsonSchema(errorSchema),
		Bundle: jsonSchema(bundleSchema, 'input'),
		IngestResult: jsonSchema(ingestResultSchema),
	},
	paths: {
		'/healthz': { get: { summary: 'Liveness: the process is up.', responses: { 200: { description: 'Up.' } } } },
		'/readyz': {
			get: {
				summary: 'Readiness: the database is reachable and every migration is applied.',
				responses: { 200: { description: 'Ready.' }, 503: errorResponse('Not ready.') },
			},
		},
		'/metrics': {
			get: {
				summary: 'Prometheus metrics.',
				responses: { 200: { description: 'Text exposition format.', content: { 'text/plain': {} } } },
			},
		},
		'/openapi.json': { get: { summary: 'This document.', responses: { 200: { description: 'OpenAPI 3.1.' } } } },
		'/webhooks/meta': {
			get: {
				summary: 'Meta webhook verification handshake.',
				parameters: [
					{ name: 'hub.mode', in: 'query', required: true, schema: { const: 'subscribe' } },
					{ name: 'hub.verify_token', in: 'query', required: true, schema: { type: 'string' } },
					{ name: 'hub.challenge', in: 'query', required: true, schema: { type: 'string' } },
				],
				responses: {
					200: { description: 'The challenge, echoed.', content: { 'text/plain': { schema: { type: 'string' } } } },
					400: errorResponse('Missing or invalid parameters.'),
					403: errorResponse('Wrong verify token.'),
				},
			},
			post: {
				summary: 'Meta webhook (WhatsApp Cloud API, Instagram): stored durably, deduplicated, then 200.',
				parameters: [
					{
						name: 'X-Hub-Signature-256',
						in: 'header',
						required: true,
						schema: { type: 'string', pattern: '^sha256=[0-9a-f]{64}$' },
					},
				],
				requestBody: {
					required: true,
					content: {
						'application/json': {
							schema: { type: 'object', properties: { object: { type: 'string' }, entry: { type: 'array' } } },
						},
					},
				},
				responses: {
					200: {
						description: 'Stored (or already stored).',
						content: {
							'application/json': {
								schema: {
									type: 'object',
									properties: {
										received: { type: 'integer' },
										stored: { type: 'integer' },
										duplicates: { type: 'integer' },
									},
								},
							},
						},
					},
					400: errorResponse('Not JSON / not a Meta payload.'),
					401: errorResponse('Missing or wrong signature.'),
					413: errorResponse('Body too large.'),
					415: errorResponse('Not application/json.'),
					503: errorResponse('Database unavailable: nothing stored; Meta retries.'),
				},
			},
		},
		'/api/v1/ingest-bundle': {
			post: {
				summary: 'Ingest a signed bundle of library assets (Standard Webhooks).',
				parameters: [
					{
						name: 'webhook-id',
						in: 'header',
						required: true,
						schema: { type: 'string', maxLength: 200 },
						description: 'Idempotency key.',
					},
					{ name: 'webhook-timestamp', in: 'header', required: true, schema: { type: 'string', pattern: '^[0-9]+$' } },
					{
						name: 'webhook-signature',
						in: 'header',
						required: true,
						schema: { type: 'string' },
						description: 'Space-separated "v1,<base64>" signatures.',
					},
				],
				requestBody: { required: true, content: { 'application/json': { schema: ref('Bundle') } } },
				responses: {
					200: {
						description: 'Ingested (or the first result for a repeated webhook-id).',
						content: { 'application/json': { schema: ref('IngestResult') } },
					},
					400: errorResponse('Not JSON.'),
					401: errorResponse('Missing headers, stale timestamp or wrong signature.'),
					409: errorResponse('webhook-id reused for a different body.'),
					413: errorResponse('Body too large.'),
					415: errorResponse('Not application/json.'),
					422: errorResponse('Invalid bundle; details lists each field.'),
					429: errorResponse('Rate limit of the signing key reached; see Retry-After.'),
					503: errorResponse('Database unavailable: nothing stored; retry.'),
				},
			},
		},
	},
};

export function buildOpenApi(version: string, contributions: readonly OpenApiContribution[]): Record<string, unknown> {
	const paths: Record<string, PathItem> = {};
	const schemas: Record<string, JsonSchema> = {};
	for (const contribution of contributions) {
		for (const [path, item] of Object.entries(contribution.paths)) paths[path] = { ...(paths[path] ?? {}), ...item };
		Object.assign(schemas, contribution.schemas ?? {});
	}
	return {
		openapi: '3.1.0',
		info: {
			title: 'TiltedPrompts service',
			version,
			description: 'Signed webhook gateway, bundle ingestion and the API the n8n nodes call.',
		},
		paths,
		components: {
			schemas,
			securitySchemes: {
				bearer: { type: 'http', scheme: 'bearer', description: 'API key (`npm run service -- keys create …`).' },
			},
		},
	};
}
