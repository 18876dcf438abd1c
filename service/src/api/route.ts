// One declaration per route: the Express handler and its OpenAPI entry come from the same zod
// schemas, so the document cannot drift from what the route accepts. Every route here authenticates
// with `Authorization: Bearer <API key>` and needs one scope.
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import { bearerToken, hasScope, type Scope } from '../access/api-keys';
import { authenticate, type Principal } from '../access/repository';
import { fieldErrors, fieldPath, type FieldError } from '../core/bundle';
import { findInputProblem } from '../core/storable-input';
import { HttpError, sendError } from '../http/errors';
import { apiErrorMap, valueAt, withReceived } from '../http/validation-messages';
import { jsonSchema, type OpenApiContribution, type PathItem } from '../openapi';

declare module 'express-serve-static-core' {
	interface Request {
		principal?: Principal;
	}
}

export interface RouteContext<P, Q, B> {
	req: Request;
	res: Response;
	principal: Principal;
	params: P;
	query: Q;
	body: B;
}

export interface RouteResult {
	status?: number;
	body?: unknown;
}

interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
	method: 'get' | 'post' | 'put' | 'patch' | 'delete';
	/** Express path, e.g. `/api/v1/contacts/:wa_id`. */
	path: string;
	summary: string;
	description?: string;
	tag: string;
	/** The scope the key needs; null = any valid key (e.g. "who am I"). */
	scope: Scope | null;
	params?: P;
	query?: Q;
	body?: B;
	/** Success status and schema (204 has none). */
	success: { status: number; description: string; schema?: z.ZodType; also?: { status: number; description: string } };
	/** Error statuses this route can answer, besides 401/403/422/503. */
	errors?: Record<number, string>;
	handler: (ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>>) => Promise<RouteResult>;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const errorResponse = (description: string) => ({
	description,
	content: { 'application/json': { schema: ref('Error') } },
});

export class ApiBuilder {
	readonly router = Router();
	readonly openapi: OpenApiContribution = { paths: {}, schemas: {} };
	/** Every declared route (the fuzz test generates hostile requests from these). */
	readonly specs: Array<RouteSpec<z.ZodType, z.ZodType, z.ZodType>> = [];

	constructor(
		private readonly pool: Pool,
		private readonly bodyLimitBytes: number,
	) {}

	schema(name: string, schema: z.ZodType, io: 'input' | 'output' = 'output'): void {
		this.openapi.schemas![name] = jsonSchema(schema, io);
	}

	route<P extends z.ZodType = z.ZodObject, Q extends z.ZodType = z.ZodObject, B extends z.ZodType = z.ZodUnknown>(
		spec: RouteSpec<P, Q, B>,
	): void {
		const handlers: RequestHandler[] = [this.authenticate(spec.scope)];
		if (spec.body) handlers.push(this.jsonBody());
		handlers.push(async (req, res) => {
			checkStorable(req.params, 'path');
			checkStorable(req.query, 'query');
			if (spec.body) checkStorable(req.body, 'body');
			const params = parse(spec.params, req.params, 'path');
			const query = parse(spec.query, req.query, 'query');
			const body = parse(spec.body, req.body, 'body');
			const result = await spec.handler({ req, res, principal: req.principal!, params, query, body } as never);
			if (res.headersSent) return;
			const status = result.status ?? spec.success.status;
			if (status === 204 || result.body === undefined) res.status(status).end();
			else res.status(status).json(result.body);
		});
		this.router[spec.method](spec.path, ...handlers);
		this.specs.push(spec as unknown as RouteSpec<z.ZodType, z.ZodType, z.ZodType>);
		this.document(spec);
	}

	private authenticate(scope: Scope | null): RequestHandler {
		return async (req, res, next) => {
			const token = bearerToken(req.get('authorization'));
			if (!token) {
				res.setHeader('WWW-Authenticate', 'Bearer');
				return sendError(
					res,
					401,
					'unauthorized',
					'Send your API key as "Authorization: Bearer <key>" (create one with: npm run service -- keys create …).',
				);
			}
			const principal = await authenticate(this.pool, token);
			if (!principal) {
				res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
				return sendError(
					res,
					401,
					'invalid_api_key',
					'The API key is unknown or revoked: check the TiltedPrompts API credential.',
				);
			}
			if (scope && !hasScope(principal.scopes, scope)) {
				return sendError(
					res,
					403,
					'insufficient_scope',
					`This API key lacks the "${scope}" scope; create a key with it (keys create --scopes …,${scope}).`,
					{
						required: scope,
						granted: principal.scopes,
					},
				);
			}
			req.principal = principal;
			next();
		};
	}

	private jsonBody(): RequestHandler {
		const parser = express.json({ limit: this.bodyLimitBytes, type: () => true });
		return (req, res, next) => {
			const type = (req.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
			if (type !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(type)) {
				return sendError(
					res,
					415,
					'unsupported_media_type',
					`Content-Type must be application/json (got ${type ? JSON.stringify(type) : 'none'}).`,
				);
			}
			parser(req, res, next);
		};
	}

	private document(spec: RouteSpec<z.ZodType, z.ZodType, z.ZodType>): void {
		const path = spec.path.replace(/:([A-Za-z_]+)/g, '{$1}');
		const parameters: unknown[] = [];
		for (const [where, schema] of [
			['path', spec.params],
			['query', spec.query],
		] as const) {
			if (!schema) continue;
			const json = jsonSchema(schema, 'input') as {
				properties?: Record<string, { description?: string }>;
				required?: string[];
			};
			for (const [name, property] of Object.entries(json.properties ?? {})) {
				parameters.push({
					name,
					in: where,
					required: where === 'path' || (json.required ?? []).includes(name),
					schema: property,
					...(property.description ? { description: property.description } : {}),
				});
			}
		}
		const responses: Record<string, unknown> = {
			[spec.success.status]: spec.success.schema
				? {
						description: spec.success.description,
						content: { 'application/json': { schema: jsonSchema(spec.success.schema) } },
					}
				: { description: spec.success.description },
			...(spec.success.also && spec.success.schema
				? {
						[spec.success.also.status]: {
							description: spec.success.also.description,
							content: { 'application/json': { schema: jsonSchema(spec.success.schema) } },
						},
					}
				: {}),
			401: errorResponse('Missing, unknown or revoked API key.'),
			...(spec.scope ? { 403: errorResponse(`The key lacks the "${spec.scope}" scope.`) } : {}),
			503: errorResponse('Database unavailable; retry.'),
		};
		if (spec.params || spec.query || spec.body)
			responses[422] = errorResponse('Invalid input; details lists each field.');
		if (spec.body) {
			responses[400] = errorResponse('The body is not JSON.');
			responses[413] = errorResponse('The body is too large.');
			responses[415] = errorResponse('Content-Type is not application/json.');
		}
		if (parameters.some((p) => (p as { name: string }).name === 'cursor'))
			responses[400] = errorResponse('invalid_cursor: the cursor is not one this API returned.');
		for (const [status, description] of Object.entries(spec.errors ?? {}))
			responses[status] = errorResponse(description);
		const operation: PathItem = {
			summary: spec.summary,
			...(spec.description ? { description: spec.description } : {}),
			tags: [spec.tag],
			security: [{ bearer: [] }],
			...(spec.scope ? { 'x-required-scope': spec.scope } : {}),
			...(parameters.length ? { parameters } : {}),
			...(spec.body
				? {
						requestBody: {
							required: true,
							content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } },
						},
					}
				: {}),
			responses,
		};
		this.openapi.paths[path] = { ...(this.openapi.paths[path] ?? {}), [spec.method]: operation };
	}
}

/** 422 naming the field when input holds text Postgres cannot store or nests too deep. */
function checkStorable(value: unknown, where: 'path' | 'query' | 'body'): void {
	const problem = findInputProblem(value);
	if (!problem) return;
	throw invalid(where, [{ path: fieldPath(problem.path), message: problem.message }]);
}

function parse<T extends z.ZodType | undefined>(schema: T, value: unknown, where: 'path' | 'query' | 'body'): unknown {
	if (!schema) return {};
	const input = value ?? (where === 'body' ? undefined : {});
	const result = schema.safeParse(input, { error: apiErrorMap });
	if (result.success) return result.data;
	throw invalid(
		where,
		fieldErrors(result.error).map((e, i) => {
			const path = result.error.issues[i].path;
			return { ...e, message: withReceived(e.message, valueAt(input, path), path) };
		}),
	);
}

/** 422 with each field named where it was sent: `name`, `query.limit`, `path.id`. */
function invalid(where: 'path' | 'query' | 'body', errors: FieldError[]): HttpError {
	const details = errors.map((e) => ({
		...e,
		path: e.path === '(body)' ? `(${where})` : `${where === 'body' ? '' : `${where}.`}${e.path}`,
	}));
	return new HttpError(
		422,
		'validation_failed',
		`The request ${where} is not valid; see details for each field.`,
		details,
	);
}

/** Opaque keyset cursors: base64url JSON of the last row's sort key. */
export function encodeCursor(value: unknown): string {
	return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A timestamp as Postgres prints `timestamptz::text` (e.g. "2026-05-01 10:20:30.123456+00"), a real date. */
const cursorTimestamp = z.string().refine((text) => {
	const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/.exec(text);
	if (!m) return false;
	const [y, mo, d, h, mi, sec] = m.slice(1, 7).map(Number);
	const date = new Date(Date.UTC(y, mo - 1, d, h, mi, sec));
	return (
		y >= 1 &&
		date.getUTCMonth() === mo - 1 &&
		date.getUTCDate() === d &&
		date.getUTCHours() === h &&
		date.getUTCMinutes() === mi &&
		date.getUTCSeconds() === sec
	);
});

/** The cursor of lists ordered by (created_at, id) descending. */
export const timeIdCursor = z.object({ at: cursorTimestamp, id: z.uuid() });

/** The decoded cursor, or 400 `invalid_cursor` when it is not one this API returned. */
export function decodeCursor<T>(cursor: string | undefined, shape: z.ZodType<T>): T | undefined {
	if (!cursor) return undefined;
	try {
		const parsed = shape.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
		if (parsed.success) return parsed.data;
	} catch {
		// fall through
	}
	throw new HttpError(400, 'invalid_cursor', 'The cursor is not one this API returned; start again without it.', [
		{ path: 'query.cursor', message: 'not a cursor of this list' },
	]);
}

export function notFound(what: string): HttpError {
	return new HttpError(404, 'not_found', what);
}
