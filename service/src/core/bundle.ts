// The signed content bundle TiltedPrompts sends to POST /api/v1/ingest-bundle: a batch of library
// assets. Pure zod schemas (also the source of the OpenAPI document) and the error formatter.
import { z } from 'zod';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from './json-depth';
import { hasUnstorableText } from './json-text';

export const ASSET_TYPES = ['prompt', 'template', 'workflow', 'guide', 'caption', 'image', 'other'] as const;

const bundleAssetSchema = z
	.object({
		slug: z
			.string()
			.min(1)
			.max(200)
			.regex(/^[a-z0-9][a-z0-9._\/-]*$/, 'lowercase letters, digits, ".", "_", "-" and "/" only')
			.describe('Stable key of the asset: ingesting the same slug again updates the asset.'),
		type: z.enum(ASSET_TYPES).describe('Kind of asset.'),
		title: z.string().trim().min(1).max(300),
		content: z
			.union([z.string().max(200_000), z.record(z.string(), z.unknown())])
			.refine(
				(content) => !jsonDepthExceeds(content, MAX_JSON_DEPTH - 4),
				`nests deeper than ${MAX_JSON_DEPTH - 4} levels`,
			)
			.describe('The asset itself: text, or a JSON object.'),
		is_premium: z.boolean().default(false).describe('Premium assets are readable by `pro` users only.'),
		tags: z.array(z.string().trim().min(1).max(50)).max(50).default([]),
	})
	.strict();

export const bundleSchema = z
	.object({
		bundle_id: z.string().min(1).max(200).describe('Identifier of the bundle in the sender’s system.'),
		assets: z.array(bundleAssetSchema).min(1).max(1000),
	})
	.strict()
	.superRefine((bundle, ctx) => {
		if (hasUnstorableText(bundle.bundle_id))
			ctx.addIssue({
				code: 'custom',
				path: ['bundle_id'],
				message: 'contains U+0000 or a lone surrogate, which cannot be stored',
			});
		bundle.assets.forEach((asset, index) => {
			if (hasUnstorableText(asset)) {
				ctx.addIssue({
					code: 'custom',
					path: ['assets', index],
					message: 'contains U+0000 or a lone surrogate, which cannot be stored',
				});
			}
		});
		const seen = new Map<string, number>();
		bundle.assets.forEach((asset, index) => {
			const first = seen.get(asset.slug);
			if (first !== undefined) {
				ctx.addIssue({
					code: 'custom',
					path: ['assets', index, 'slug'],
					message: `duplicate slug (also assets[${first}])`,
				});
			} else seen.set(asset.slug, index);
		});
	});

export type Bundle = z.infer<typeof bundleSchema>;

export const ingestResultSchema = z.object({
	bundle_id: z.string(),
	webhook_id: z.string(),
	created: z.number().int(),
	updated: z.number().int(),
	assets: z.array(z.object({ id: z.string(), slug: z.string(), action: z.enum(['created', 'updated']) })),
});
export type IngestResult = z.infer<typeof ingestResultSchema>;

export interface FieldError {
	path: string;
	message: string;
}

/** zod issues as `{ path: "assets[2].title", message }`, the `details` of a 422 response. */
export function fieldErrors(error: z.ZodError): FieldError[] {
	return error.issues.map((issue) => ({ path: fieldPath(issue.path), message: issue.message }));
}

/** `["assets", 2, "title"]` → `assets[2].title`; the whole body is `(body)`. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
	return (
		path.reduce<string>(
			(acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)),
			'',
		) || '(body)'
	);
}
