/**
 * Validates WhatsApp requests against Meta's official OpenAPI spec
 * (`business-messaging-api_v23.0.yaml`, MIT), read from the file named by `META_OPENAPI_SPEC`.
 * Without that file requests are not checked (`specAvailable()` is false and one line says so).
 *
 * We do not validate blindly: the spec has slips, and each one we correct is listed in
 * `SPEC_SLIPS` below with what the spec says and what Meta actually accepts. Everything else is
 * the spec as published. Two generic corrections make the spec's JSON Schema mean what it says:
 *   - `discriminator` (an OpenAPI annotation JSON Schema ignores) becomes if/then on the tag, so a
 *     template header parameter really is validated as a header parameter;
 *   - `allOf: [Base, {additionalProperties: false, …}]` would reject every Base property (JSON
 *     Schema looks at one branch at a time), so it becomes `unevaluatedProperties: false` on the allOf.
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';

type Schema = Record<string, unknown>;

/** The spec file named by META_OPENAPI_SPEC, or undefined when it is unset or does not exist. */
export function specPath(): string | undefined {
	const path = process.env.META_OPENAPI_SPEC;
	return path && existsSync(path) ? path : undefined;
}

let uncheckedSaid = false;

/** True when requests can be checked against the spec; the first time it is not, one line says why. */
export function specAvailable(log: (line: string) => void = (line) => console.warn(line)): boolean {
	if (specPath()) return true;
	if (!uncheckedSaid) {
		uncheckedSaid = true;
		const path = process.env.META_OPENAPI_SPEC;
		log(
			path
				? `META_OPENAPI_SPEC=${path} does not exist: WhatsApp requests are not checked against Meta's OpenAPI spec.`
				: "META_OPENAPI_SPEC is not set: WhatsApp requests are not checked against Meta's OpenAPI spec (point it at business-messaging-api_v23.0.yaml to check them).",
		);
	}
	return false;
}

/** A template button sub_type the spec lacks, with its parameter type (`{ type: paramType, [paramType]: … }`). */
function addTemplateButton(
	s: Record<string, Schema>,
	subType: string,
	paramType: string,
	schemaName: string,
	properties: Schema,
): void {
	((prop(s.TemplateComponent, 'sub_type') as Schema).enum as string[]).push(subType);
	((prop((s.ButtonComponent.allOf as Schema[])[1], 'sub_type') as Schema).enum as string[]).push(subType);
	((prop(s.ButtonParameterObject, 'type') as Schema).enum as string[]).push(paramType);
	(s.ButtonParameterObject.discriminator as { mapping: Record<string, string> }).mapping[paramType] =
		`#/components/schemas/${schemaName}`;
	s[schemaName] = {
		allOf: [
			{ $ref: '#/components/schemas/ButtonParameterObject' },
			{ type: 'object', required: [paramType], properties: { type: { enum: [paramType] }, ...properties } },
		],
	};
}

/** The explicit allow-list: each slip of the spec we correct, and why. */
export const SPEC_SLIPS: Array<{
	id: string;
	spec: string;
	reality: string;
	apply(schemas: Record<string, Schema>): void;
}> = [
	{
		id: 'button-index-pattern',
		spec: 'TemplateComponent/ButtonComponent `index` has pattern ^[2-6, 11-14]$, which rejects "0"',
		reality: 'index is the button position 0-9 (the spec\'s own example uses "0")',
		apply(s) {
			(prop(s.TemplateComponent, 'index') as Schema).pattern = '^[0-9]$';
			(prop((s.ButtonComponent.allOf as Schema[])[1], 'index') as Schema).pattern = '^[0-9]$';
		},
	},
	{
		id: 'language-policy-required',
		spec: 'LanguageObject marks `policy` required',
		reality: 'policy is optional (only "deterministic" exists and is the default)',
		apply(s) {
			s.LanguageObject.required = ['code'];
		},
	},
	{
		id: 'copy-code-button',
		spec: 'template button sub_type lacks copy_code and button parameters lack coupon_code',
		reality: 'copy-code buttons are sent as sub_type copy_code with a {type: coupon_code, coupon_code} parameter',
		apply(s) {
			addTemplateButton(s, 'copy_code', 'coupon_code', 'ButtonCouponCodeParameter', {
				coupon_code: { type: 'string', maxLength: 15 },
			});
		},
	},
	{
		id: 'flow-button',
		spec: 'template button sub_type lacks flow and button parameters lack action',
		reality:
			"a template Flow button is sent as sub_type flow with a {type: action, action: {flow_token?, flow_action_data?}} parameter (Meta's template Flows guide)",
		apply(s) {
			addTemplateButton(s, 'flow', 'action', 'ButtonActionParameter', {
				action: {
					type: 'object',
					additionalProperties: false,
					properties: { flow_token: { type: 'string' }, flow_action_data: { type: 'object' } },
				},
			});
		},
	},
	{
		id: 'carousel-template',
		spec: 'template components lack the carousel of a media-card carousel template',
		reality:
			"a media-card carousel is sent as {type: carousel, cards: [{card_index 0-9, components: [header, body?, button…]}]}, 2 to 10 cards (Meta's media card carousel templates guide)",
		apply(s) {
			((prop(s.TemplateComponent, 'type') as Schema).enum as string[]).push('carousel');
			(s.TemplateComponent.discriminator as { mapping: Record<string, string> }).mapping.carousel =
				'#/components/schemas/CarouselComponent';
			s.CarouselComponent = {
				allOf: [
					{ $ref: '#/components/schemas/TemplateComponent' },
					{
						type: 'object',
						required: ['cards'],
						properties: {
							type: { enum: ['carousel'] },
							cards: {
								type: 'array',
								minItems: 2,
								maxItems: 10,
								items: {
									type: 'object',
									additionalProperties: false,
									required: ['card_index', 'components'],
									properties: {
										card_index: { type: 'integer', minimum: 0, maximum: 9 },
										components: {
											type: 'array',
											minItems: 1,
											items: { $ref: '#/components/schemas/TemplateComponent' },
										},
									},
								},
							},
						},
					},
				],
			};
		},
	},
	{
		id: 'cta-url-interactive',
		spec: 'InteractiveObject.type and ActionObject lack the cta_url message',
		reality:
			'interactive type "cta_url" with action {name: "cta_url", parameters: {display_text ≤ 20, url}} is documented in the Cloud API guides',
		apply(s) {
			((prop(s.InteractiveObject, 'type') as Schema).enum as string[]).push('cta_url');
			(s.ActionObject.oneOf as Schema[]).push({
				required: ['name', 'parameters'],
				properties: {
					name: { type: 'string', enum: ['cta_url'] },
					parameters: {
						type: 'object',
						required: ['display_text', 'url'],
						additionalProperties: false,
						properties: { display_text: { type: 'string', maxLength: 20 }, url: { type: 'string' } },
					},
				},
			});
		},
	},
	{
		id: 'recipient-type-optional',
		spec: 'BaseMessageProperties marks recipient_type required',
		reality:
			'recipient_type is optional and defaults to "individual" (n8n\'s built-in node omits it and Meta accepts that)',
		apply(s) {
			s.BaseMessageProperties.required = (s.BaseMessageProperties.required as string[]).filter(
				(r) => r !== 'recipient_type',
			);
		},
	},
	{
		id: 'bsuid-recipient',
		spec: 'message and marketing message requests require `to` (a phone number) and have no `recipient`',
		reality:
			"since 2026 a person whose phone number Meta withholds is addressed by business-scoped user ID in `recipient` (Meta's Business-scoped user IDs guide): a request gives `to`, `recipient`, or both (`to` wins)",
		apply(s) {
			for (const schema of [s.BaseMessageProperties, s.MarketingMessageRequestPayload]) {
				(schema.properties as Schema).recipient = {
					type: 'string',
					pattern: '^[A-Z]{2}\\.(ENT\\.)?[A-Za-z0-9]{1,128}$',
				};
				schema.required = (schema.required as string[]).filter((r) => r !== 'to');
				schema.anyOf = [{ required: ['to'] }, { required: ['recipient'] }];
			}
		},
	},
	{
		id: 'contact-phone-types',
		spec: 'PhoneObject.type allows only HOME and WORK',
		reality: 'the contacts message reference lists CELL, MAIN, IPHONE, HOME and WORK',
		apply(s) {
			((prop(s.PhoneObject, 'type') as Schema).enum as string[]).push('CELL', 'MAIN', 'IPHONE');
		},
	},
	{
		id: 'read-status-body',
		spec: 'the read receipt / typing indicator request appears only as an example of POST /messages, not in the Message schema',
		reality:
			'{messaging_product: "whatsapp", status: "read", message_id, typing_indicator?: {type: "text"}} (from that example)',
		apply(s) {
			s.ReadStatusRequest = {
				type: 'object',
				additionalProperties: false,
				required: ['messaging_product', 'status', 'message_id'],
				properties: {
					messaging_product: { const: 'whatsapp' },
					status: { const: 'read' },
					message_id: { type: 'string', minLength: 1 },
					typing_indicator: {
						type: 'object',
						additionalProperties: false,
						required: ['type'],
						properties: { type: { enum: ['text'] } },
					},
				},
			};
		},
	},
];

function prop(schema: Schema, name: string): unknown {
	return (schema.properties as Schema)[name];
}

const REF = '#/components/schemas/';

/** discriminator → if/then, with a base copy to break the Base ↔ mapped-schema cycle. */
function lowerDiscriminators(schemas: Record<string, Schema>): void {
	for (const [name, schema] of Object.entries(schemas)) {
		const discriminator = schema.discriminator as { propertyName: string; mapping: Record<string, string> } | undefined;
		if (!discriminator) continue;
		const { propertyName, mapping } = discriminator;
		const base: Schema = { ...schema };
		delete base.discriminator;
		delete base.oneOf;
		const baseName = `${name}__base`;
		schemas[baseName] = base;
		for (const target of Object.values(mapping)) {
			const targetSchema = schemas[target.replace(REF, '')];
			for (const branch of (targetSchema?.allOf as Schema[] | undefined) ?? []) {
				if (branch.$ref === REF + name) branch.$ref = REF + baseName;
			}
		}
		schemas[name] = {
			allOf: [
				{ $ref: REF + baseName },
				{ type: 'object', required: [propertyName], properties: { [propertyName]: { enum: Object.keys(mapping) } } },
				...Object.entries(mapping).map(([value, ref]) => ({
					if: { type: 'object', required: [propertyName], properties: { [propertyName]: { const: value } } },
					then: { $ref: ref },
				})),
			],
		};
	}
}

/** allOf branch with additionalProperties:false → unevaluatedProperties:false on the allOf. */
function lowerClosedAllOf(schemas: Record<string, Schema>): void {
	for (const schema of Object.values(schemas)) {
		const allOf = schema.allOf as Schema[] | undefined;
		if (!allOf) continue;
		for (const branch of allOf) {
			if (branch.additionalProperties === false) {
				delete branch.additionalProperties;
				schema.unevaluatedProperties = false;
			}
		}
	}
}

interface Operation {
	requestBody?: { content?: Record<string, { schema?: Schema }> };
}

let compiled:
	| { ajv: Ajv2020; spec: { paths: Record<string, Record<string, Operation>> }; cache: Map<string, ValidateFunction> }
	| undefined;

function load() {
	if (compiled) return compiled;
	const path = specPath();
	if (!path)
		throw new Error("META_OPENAPI_SPEC does not name an existing file (Meta's business-messaging-api_v23.0.yaml)");
	const spec = parse(readFileSync(path, 'utf8')) as {
		paths: Record<string, Record<string, Operation>>;
		components: { schemas: Record<string, Schema> };
	};
	const schemas = structuredClone(spec.components.schemas);
	for (const slip of SPEC_SLIPS) slip.apply(schemas);
	lowerDiscriminators(schemas);
	lowerClosedAllOf(schemas);
	const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false, validateFormats: true });
	addFormats(ajv);
	ajv.addFormat('url', /^https?:\/\/\S+$/i);
	ajv.addSchema({ $id: 'meta', components: { schemas } });
	compiled = { ajv, spec, cache: new Map() };
	return compiled;
}

function schemaFor(method: string, specPath: string): Schema | undefined {
	const op = load().spec.paths[specPath]?.[method.toLowerCase()];
	if (!op) throw new Error(`the spec has no ${method.toUpperCase()} ${specPath}`);
	return op.requestBody?.content?.['application/json']?.schema;
}

/** Rewrites local refs of an inline schema to the loaded document ('meta#/components/…'). */
function rebase(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(rebase);
	if (value && typeof value === 'object') {
		const out: Schema = {};
		for (const [k, v] of Object.entries(value))
			out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `meta${v}` : rebase(v);
		return out;
	}
	return value;
}

function validator(key: string, schema: Schema): ValidateFunction {
	const { ajv, cache } = load();
	let fn = cache.get(key);
	if (!fn) {
		fn = ajv.compile(rebase(schema) as Schema);
		cache.set(key, fn);
	}
	return fn;
}

function format(fn: ValidateFunction): string[] {
	return (fn.errors ?? [])
		.filter((e) => e.keyword !== 'if')
		.map(
			(e) =>
				`${e.instancePath || '/'} ${e.message ?? e.keyword}${e.params && Object.keys(e.params).length ? ' ' + JSON.stringify(e.params) : ''}`,
		);
}

/**
 * Validates a JSON request body against the spec's operation (`specPath` as written in the spec,
 * e.g. '/{Version}/{Phone-Number-ID}/messages'). Returns the problems; [] means valid.
 * POST /messages bodies with `status` are read receipts (slip 'read-status-body').
 */
export function validateRequestBody(method: string, specPath: string, body: unknown): string[] {
	if (
		method.toUpperCase() === 'POST' &&
		specPath === '/{Version}/{Phone-Number-ID}/messages' &&
		body &&
		typeof body === 'object' &&
		'status' in body
	) {
		const fn = validator('ReadStatusRequest', { $ref: `${REF}ReadStatusRequest` });
		return fn(body) ? [] : format(fn);
	}
	const schema = schemaFor(method, specPath);
	if (!schema) return body === undefined || body === null ? [] : [];
	const fn = validator(`${method} ${specPath}`, schema);
	return fn(body) ? [] : format(fn);
}

/** True when the spec documents this method and path (e.g. GET '/{Version}/{WABA-ID}/phone_numbers'). */
export function specHasOperation(method: string, specPath: string): boolean {
	return Boolean(load().spec.paths[specPath]?.[method.toLowerCase()]);
}
