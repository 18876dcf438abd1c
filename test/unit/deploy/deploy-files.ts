// Readers for docker/: Dockerfiles, compose.yml (with compose's variable interpolation), .env files
// and the Caddyfile — just enough of each format to test what a deployment would do.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const ROOT = join(__dirname, '..', '..', '..');
export const DOCKER = join(ROOT, 'docker');

// ---- Dockerfile --------------------------------------------------------------------------------

export interface Instruction {
	keyword: string;
	args: string;
	/** The stage (0-based) the instruction belongs to. */
	stage: number;
}

export interface Dockerfile {
	instructions: Instruction[];
	stages: Array<{ image: string; name?: string }>;
	/** Instructions of the last stage (the image that is shipped). */
	final: Instruction[];
}

export function readDockerfile(name: string): Dockerfile {
	const text = readFileSync(join(DOCKER, name), 'utf8');
	const lines = text.split('\n');
	const logical: string[] = [];
	let current = '';
	for (const raw of lines) {
		const trimmed = raw.trim();
		// Comment lines are removed, also inside a continued instruction (as Docker does).
		if (trimmed.startsWith('#')) continue;
		if (!current && !trimmed) continue;
		if (trimmed.endsWith('\\')) {
			current += trimmed.slice(0, -1) + ' ';
			continue;
		}
		current += trimmed;
		if (current.trim()) logical.push(current.trim());
		current = '';
	}
	const instructions: Instruction[] = [];
	const stages: Dockerfile['stages'] = [];
	for (const line of logical) {
		const match = /^(\S+)\s+([\s\S]*)$/.exec(line);
		if (!match) throw new Error(`cannot parse Dockerfile line: ${line}`);
		const keyword = match[1].toUpperCase();
		const args = match[2].trim();
		if (keyword === 'FROM') {
			const [image, as, stageName] = args.split(/\s+/);
			stages.push({ image, name: as?.toUpperCase() === 'AS' ? stageName : undefined });
		}
		instructions.push({ keyword, args, stage: Math.max(0, stages.length - 1) });
	}
	const last = stages.length - 1;
	return { instructions, stages, final: instructions.filter((instruction) => instruction.stage === last) };
}

/** Arguments of an exec-form instruction (`CMD ["node", "x.js"]`). */
export function execForm(args: string): string[] {
	const json = args.replace(/^CMD\s+/i, '');
	const parsed: unknown = JSON.parse(json);
	if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string'))
		throw new Error(`not an exec form: ${args}`);
	return parsed as string[];
}

/** `ENV A=1 B=2` and `ARG A=1` of the final stage, in order. */
export function finalEnv(dockerfile: Dockerfile, keyword: 'ENV' | 'ARG'): Record<string, string> {
	const env: Record<string, string> = {};
	for (const instruction of dockerfile.final.filter((i) => i.keyword === keyword)) {
		for (const match of instruction.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g)) {
			env[match[1]] = match[2].replace(/^"|"$/g, '');
		}
	}
	return env;
}

// ---- .env files ----------------------------------------------------------------------------------

export interface EnvEntry {
	name: string;
	value: string;
	/** The comment lines right above the variable. */
	comment: string;
}

export function parseEnvFile(text: string): EnvEntry[] {
	const entries: EnvEntry[] = [];
	let comment: string[] = [];
	for (const line of text.split('\n')) {
		const trimmed = line.trim();
		if (!trimmed) {
			comment = [];
		} else if (trimmed.startsWith('#')) {
			comment.push(trimmed.replace(/^#\s?/, ''));
		} else {
			const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(trimmed);
			if (!match) throw new Error(`not a variable assignment: ${line}`);
			entries.push({ name: match[1], value: match[2], comment: comment.join(' ').trim() });
			comment = [];
		}
	}
	return entries;
}

export function envObject(entries: EnvEntry[]): Record<string, string> {
	return Object.fromEntries(entries.map((entry) => [entry.name, entry.value]));
}

// ---- compose -------------------------------------------------------------------------------------

export interface ComposeService {
	image?: string;
	build?: { context: string; dockerfile: string };
	command?: string[];
	environment?: Record<string, string>;
	profiles?: string[];
	healthcheck?: { test?: string[]; disable?: boolean };
	depends_on?: Record<string, { condition: string }>;
	networks?: string[] | Record<string, { aliases?: string[] } | null>;
	ports?: string[];
	volumes?: string[];
}

export interface Compose {
	services: Record<string, ComposeService>;
	networks?: Record<string, { internal?: boolean } | null>;
	volumes?: Record<string, unknown>;
}

export function composeText(): string {
	return readFileSync(join(DOCKER, 'compose.yml'), 'utf8');
}

/** compose.yml as written: YAML anchors and merge keys resolved, `${…}` left as is. */
export function readComposeRaw(): Compose {
	return parse(composeText(), { merge: true }) as Compose;
}

export class InterpolationError extends Error {}

const REFERENCE = /\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Compose's interpolation of one string: $$, $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, ${VAR:+alt}. */
export function interpolate(value: string, env: Record<string, string | undefined>): string {
	return value.replace(
		REFERENCE,
		(whole, escapeOrBrace: string, name?: string, operator?: string, operand = '', bare?: string) => {
			if (escapeOrBrace === '$') return '$';
			const variable = name ?? bare!;
			const current = env[variable];
			const unsetOrEmpty = current === undefined || current === '';
			switch (operator) {
				case undefined:
					return current ?? '';
				case ':-':
					return unsetOrEmpty ? operand : current!;
				case '-':
					return current === undefined ? operand : current;
				case ':?':
					if (unsetOrEmpty)
						throw new InterpolationError(`required variable ${variable} is missing a value: ${operand}`);
					return current!;
				case '?':
					if (current === undefined)
						throw new InterpolationError(`required variable ${variable} is missing a value: ${operand}`);
					return current;
				case ':+':
					return unsetOrEmpty ? '' : operand;
				default:
					throw new Error(`unsupported interpolation ${whole}`);
			}
		},
	);
}

export interface VariableReference {
	name: string;
	/** `${NAME:?msg}` → ':?', `${NAME:-x}` → ':-', `${NAME}` / `$NAME` → ''. */
	operator: string;
	text: string;
}

function walkStrings(value: unknown, visit: (text: string) => void): void {
	if (typeof value === 'string') visit(value);
	else if (Array.isArray(value)) value.forEach((item) => walkStrings(item, visit));
	else if (value && typeof value === 'object') Object.values(value).forEach((item) => walkStrings(item, visit));
}

/** Every `${VAR…}` in compose.yml's values (comments excluded), extension fields included. */
export function composeReferences(): VariableReference[] {
	const document = parse(composeText()) as unknown; // without merging: each written occurrence once
	const references: VariableReference[] = [];
	walkStrings(document, (text) => {
		for (const match of text.matchAll(REFERENCE)) {
			if (match[1] === '$') continue;
			references.push({ name: match[2] ?? match[5], operator: match[3] ?? '', text: match[0] });
		}
	});
	return references;
}

/** compose.yml as `docker compose config` would see it with `env` as docker/.env. */
export function resolveCompose(env: Record<string, string | undefined>): Compose {
	const raw = readComposeRaw();
	const resolve = (value: unknown): unknown => {
		if (typeof value === 'string') return interpolate(value, env);
		if (Array.isArray(value)) return value.map(resolve);
		if (value && typeof value === 'object')
			return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolve(item)]));
		return value;
	};
	return resolve(raw) as Compose;
}

/** The services a profile starts: those without profiles plus those of the profile. */
export function servicesOf(compose: Compose, profile: string): Record<string, ComposeService> {
	return Object.fromEntries(
		Object.entries(compose.services).filter(([, service]) => !service.profiles || service.profiles.includes(profile)),
	);
}

/** Network name → aliases (the service name is always one) of a service. */
export function networksOf(name: string, service: ComposeService): Record<string, string[]> {
	const networks = service.networks ?? ['default'];
	if (Array.isArray(networks)) return Object.fromEntries(networks.map((network) => [network, [name]]));
	return Object.fromEntries(
		Object.entries(networks).map(([network, config]) => [network, [name, ...(config?.aliases ?? [])]]),
	);
}

export const SECRET = /PASSWORD|SECRET|_KEY|TOKEN/;

// ---- Caddyfile -----------------------------------------------------------------------------------

export interface CaddyRoute {
	/** Path patterns (`/webhooks/*`); empty for the catch-all `handle`. */
	paths: string[];
	/** Upstreams as `host:port`; `dynamic a` upstreams are written the same way. */
	upstreams: string[];
}

/** The `handle` blocks of the site block, in order, with their reverse_proxy upstreams. */
export function readCaddyRoutes(text: string): CaddyRoute[] {
	const matchers = new Map<string, string[]>();
	for (const match of text.matchAll(/^\s*@(\S+)\s+path\s+(.+)$/gm))
		matchers.set(match[1], match[2].trim().split(/\s+/));
	const routes: CaddyRoute[] = [];
	const handle = /^\s*handle(?:\s+(\S+))?\s*\{$/gm;
	for (const match of text.matchAll(handle)) {
		// The block: from the opening brace to its matching closing brace.
		let depth = 0;
		let end = match.index! + match[0].length - 1;
		for (; end < text.length; end++) {
			if (text[end] === '{') depth++;
			else if (text[end] === '}' && --depth === 0) break;
		}
		const body = text.slice(match.index! + match[0].length, end);
		const upstreams = [
			...[...body.matchAll(/^\s*reverse_proxy\s+([^\s{]+)\s*(?:\{|$)/gm)].map((m) => m[1]),
			...[...body.matchAll(/^\s*dynamic\s+a\s+(\S+)\s+(\d+)/gm)].map((m) => `${m[1]}:${m[2]}`),
		];
		const matcher = match[1];
		const paths = !matcher ? [] : matcher.startsWith('@') ? (matchers.get(matcher.slice(1)) ?? []) : [matcher];
		routes.push({ paths, upstreams });
	}
	return routes;
}

/** Caddy's `handle` semantics: the first block whose matcher matches (paths with a trailing `*`). */
export function routeFor(routes: CaddyRoute[], path: string): CaddyRoute | undefined {
	return routes.find(
		(route) =>
			route.paths.length === 0 ||
			route.paths.some((pattern) => (pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern)),
	);
}
