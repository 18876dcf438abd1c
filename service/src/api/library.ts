// /api/v1/library/assets: reads run AS THE KEY'S USER under row-level security (withUser), so the
// database itself hides premium assets from free users. Writes need `library:write`.
import { randomBytes } from 'node:crypto';
import { withServiceRole, withUser } from '../db/rls';
import { HttpError } from '../http/errors';
import { decodeCursor, encodeCursor, notFound, timeIdCursor, type ApiBuilder } from './route';
import { assetCreateBody, assetListQuery, assetPatchBody, assetSchema, idParams, listOf } from './schemas';
import type { Pool, PoolClient } from 'pg';

const COLUMNS =
	'id, slug, type, title, content, tags, is_premium, source_bundle, created_at, updated_at, created_at::text AS cursor_at';

interface AssetRow {
	id: string;
	slug: string;
	type: string;
	title: string;
	content: unknown;
	tags: string[];
	is_premium: boolean;
	source_bundle: string | null;
	created_at: Date;
	updated_at: Date;
	cursor_at?: string;
}

function toAsset(row: AssetRow) {
	const { cursor_at: _cursor, ...asset } = row;
	return asset;
}

async function visibleTo(pool: Pool, userId: string, id: string): Promise<AssetRow | undefined> {
	return withUser(
		pool,
		userId,
		async (tx) => (await tx.query<AssetRow>(`SELECT ${COLUMNS} FROM library_assets WHERE id = $1`, [id])).rows[0],
	);
}

function slugFor(title: string): string {
	const base = title
		.normalize('NFKD')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '')
		.slice(0, 60);
	return `${base || 'asset'}-${randomBytes(4).toString('hex')}`;
}

export function libraryRoutes(api: ApiBuilder, pool: Pool): void {
	api.schema('LibraryAsset', assetSchema);
	api.route({
		method: 'get',
		path: '/api/v1/library/assets',
		tag: 'library',
		scope: 'library:read',
		summary: 'List library assets the key’s user may read (premium ones only for pro users).',
		query: assetListQuery,
		success: { status: 200, description: 'A page of assets.', schema: listOf(assetSchema) },
		handler: async ({ principal, query }) => {
			const after = decodeCursor(query.cursor, timeIdCursor);
			const rows = await withUser(
				pool,
				principal.userId,
				async (tx: PoolClient) =>
					(
						await tx.query<AssetRow>(
							`SELECT ${COLUMNS} FROM library_assets
						 WHERE ($1::text IS NULL OR search_vector @@ websearch_to_tsquery('simple', $1))
						   AND ($2::text IS NULL OR type = $2)
						   AND ($3::text[] IS NULL OR tags @> $3::text[])
						   AND ($4::boolean IS NULL OR is_premium = $4)
						   AND ($5::timestamptz IS NULL OR (created_at, id) < ($5::timestamptz, $6::uuid))
						 ORDER BY created_at DESC, id DESC LIMIT $7`,
							[
								query.q ?? null,
								query.type ?? null,
								query.tag?.length ? query.tag : null,
								query.premium ?? null,
								after?.at ?? null,
								after?.id ?? null,
								query.limit + 1,
							],
						)
					).rows,
			);
			const page = rows.slice(0, query.limit);
			const last = page[page.length - 1];
			return {
				body: {
					data: page.map(toAsset),
					next_cursor: rows.length > query.limit ? encodeCursor({ at: last.cursor_at, id: last.id }) : null,
				},
			};
		},
	});
	api.route({
		method: 'get',
		path: '/api/v1/library/assets/:id',
		tag: 'library',
		scope: 'library:read',
		summary: 'Get one asset (404 when it does not exist or the user may not read it).',
		params: idParams,
		success: { status: 200, description: 'The asset.', schema: assetSchema },
		errors: { 404: 'No such asset readable with this key.' },
		handler: async ({ principal, params }) => {
			const row = await visibleTo(pool, principal.userId, params.id);
			if (!row) throw notFound('No such library asset (or it is premium and this key’s user is on the free tier).');
			return { body: toAsset(row) };
		},
	});
	libraryWriteRoutes(api, pool);
}

/** Create, change and delete assets (`library:write`). */
function libraryWriteRoutes(api: ApiBuilder, pool: Pool): void {
	api.route({
		method: 'post',
		path: '/api/v1/library/assets',
		tag: 'library',
		scope: 'library:write',
		summary: 'Create an asset.',
		body: assetCreateBody,
		success: { status: 201, description: 'Created.', schema: assetSchema },
		errors: { 409: 'The slug is not available.' },
		handler: async ({ body }) => {
			const row = await withServiceRole(pool, async (tx) => {
				const { rows } = await tx.query<AssetRow>(
					`INSERT INTO library_assets (slug, type, title, content, tags, is_premium)
					 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (slug) DO NOTHING RETURNING ${COLUMNS}`,
					[
						body.slug ?? slugFor(body.title),
						body.type,
						body.title,
						JSON.stringify(body.content),
						body.tags,
						body.is_premium,
					],
				);
				return rows[0];
			});
			// One answer whatever holds the slug: it must not tell a free user that a premium slug exists.
			if (!row)
				throw new HttpError(
					409,
					'slug_taken',
					`The slug "${body.slug}" is not available; choose another one (or leave it out to have one generated).`,
				);
			return { body: toAsset(row) };
		},
	});
	api.route({
		method: 'patch',
		path: '/api/v1/library/assets/:id',
		tag: 'library',
		scope: 'library:write',
		summary: 'Change fields of an asset the key’s user may read.',
		params: idParams,
		body: assetPatchBody,
		success: { status: 200, description: 'The updated asset.', schema: assetSchema },
		errors: { 404: 'No such asset readable with this key.' },
		handler: async ({ principal, params, body }) => {
			if (!(await visibleTo(pool, principal.userId, params.id))) throw notFound('No such library asset.');
			const row = await withServiceRole(pool, async (tx) => {
				const { rows } = await tx.query<AssetRow>(
					`UPDATE library_assets SET
					   title = coalesce($2, title), type = coalesce($3, type),
					   content = CASE WHEN $4::boolean THEN $5::jsonb ELSE content END,
					   tags = coalesce($6, tags), is_premium = coalesce($7, is_premium), updated_at = now()
					 WHERE id = $1 RETURNING ${COLUMNS}`,
					[
						params.id,
						body.title ?? null,
						body.type ?? null,
						body.content !== undefined,
						body.content === undefined ? null : JSON.stringify(body.content),
						body.tags ?? null,
						body.is_premium ?? null,
					],
				);
				return rows[0];
			});
			if (!row) throw notFound('No such library asset.');
			return { body: toAsset(row) };
		},
	});
	api.route({
		method: 'delete',
		path: '/api/v1/library/assets/:id',
		tag: 'library',
		scope: 'library:write',
		summary: 'Delete an asset the key’s user may read.',
		params: idParams,
		success: { status: 204, description: 'Deleted.' },
		errors: { 404: 'No such asset readable with this key.' },
		handler: async ({ principal, params }) => {
			if (!(await visibleTo(pool, principal.userId, params.id))) throw notFound('No such library asset.');
			await withServiceRole(pool, (tx) => tx.query('DELETE FROM library_assets WHERE id = $1', [params.id]));
			return { status: 204 };
		},
	});
}
