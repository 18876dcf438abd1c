/**
 * Instagram Graph API module of the Graph API stand-in (see ./core.ts for the plug-in interface).
 *
 * Both hosts are served, each under its own path prefix so the base URL override reads naturally:
 *   `${graph.url}/graph.facebook.com`   — Instagram API with Facebook Login (has hashtag search)
 *   `${graph.url}/graph.instagram.com`  — Instagram API with Instagram Login (no hashtag endpoints:
 *                                          Meta's "Unsupported get request", code 100)
 * The prefixes also keep these routes apart from the WhatsApp module's `/:version/...` routes.
 *
 * Modelled after Meta's Instagram Platform reference:
 *   - IG User: fields, /media (cursor pagination), /insights (metric_type total_value rules),
 *     /content_publishing_limit (quota_usage, config {quota_total, quota_duration}),
 *     /media (container create), /media_publish (creation_id; 9/2207042 when the quota is spent,
 *     9007/2207027 when the container is not FINISHED, -2/2207020 when it EXPIRED).
 *   - IG Container: status_code IN_PROGRESS → FINISHED / ERROR (with Meta's status text) / EXPIRED
 *     (24 h after creation, or forced by the test), PUBLISHED after media_publish.
 *   - IG Media: fields, /children, /comments, /insights (retired metrics rejected, metrics without
 *     data left out — empty data is not zero).
 *   - IG Comment: fields, /replies (GET, POST ?message=), POST ?hide=, DELETE.
 *   - Messaging: POST /<id>/messages with recipient.comment_id (private reply: one per comment,
 *     within 7 days → otherwise 10/2534022 "This message is sent outside of allowed window.") or
 *     recipient.id (needs a message from that person within 24 h).
 *   - Hashtags (Facebook Login only): /ig_hashtag_search (30 unique hashtags per 7 days → code 24),
 *     /<hashtag>/top_media and /recent_media (last 24 h) with the required user_id.
 *   - Collaborators: `collaborators` (JSON array of usernames, up to 5) on image, reel and
 *     carousel containers, not on stories or carousel items; the published media's /collaborators
 *     edge (Facebook Login only) lists each with invite_status Pending / Accepted / Declined.
 *     Collaboration invites sent TO this account (Facebook Login only, Dec 2025):
 *     GET /<ig-user>/collaboration_invites (media_id, media_owner_username, caption, media_url;
 *     cursor paging) and POST /<ig-user>/collaboration_invites?media_id=…&accept=true|false
 *     → {success:true}.
 *   - Trial reels: `trial_params` ({"graduation_strategy":"MANUAL"|"SS_PERFORMANCE"}) on REELS
 *     containers only. Meta gates trial reels per account; an account that cannot use them
 *     (`state.trialReelsEligible = false`) is refused at container creation (code 10, modelled:
 *     Meta documents no dedicated code).
 *   - Insights added since v22: media `reposts` (feed, reels, stories), reels `reels_skip_rate`,
 *     `crossposted_views`, `facebook_views`; account `reposts`. `reposts`, `crossposted_views` and
 *     `facebook_views` need Facebook Login (graph.instagram.com rejects them like any unknown metric).
 *   - Field expansion: `fields=…,replies{id,text,…}` on comments (a nested edge is {data:[…]}).
 *   - Versions: v22.0 … v26.0 (IG_GRAPH_VERSIONS); a call to an older, retired version is answered
 *     as the oldest available one (the facebook-api-version header says which), as Meta does.
 *   - Every answer carries X-App-Usage and X-Business-Use-Case-Usage; `state.usage` sets them and
 *     `throttleMinutes` makes calls fail with 80002 and estimated_time_to_regain_access.
 *
 * Container outcomes: images finish at the first check, videos after 2 IN_PROGRESS checks. A test
 * overrides per URL with `state.outcomes.set(url, {...})`, or by URL hint (usable from another
 * process, e.g. real n8n): `standin-error`, `standin-expired`, `standin-slow` in the media URL.
 *
 * State (`graph.state.instagram`, type InstagramState).
 */
import { randomBytes } from 'node:crypto';
import type { ModuleApi, RouteContext, RouteResult, StandInModule } from './core';

export const IG_ACCOUNT_ID = '17841400000000001';
export const IG_PAGE_ID = '100000000000001';
export const IG_USERNAME = 'chai_point_demo';

/** Graph API versions the stand-in models, oldest first; the last is the newest. */
export const IG_GRAPH_VERSIONS = ['v22.0', 'v23.0', 'v24.0', 'v25.0', 'v26.0'];
/** Most collaborators one post may invite (Meta's IG Media collaborators reference). */
export const IG_MAX_COLLABORATORS = 5;

const DAY = 24 * 3600 * 1000;

export type Flavour = 'facebook' | 'instagram';

export interface IgMedia {
	id: string;
	caption?: string;
	media_type: 'IMAGE' | 'VIDEO' | 'CAROUSEL_ALBUM';
	media_product_type: 'FEED' | 'REELS' | 'STORY';
	media_url: string;
	thumbnail_url?: string;
	permalink: string;
	shortcode: string;
	timestamp: string;
	username: string;
	like_count: number;
	comments_count: number;
	is_comment_enabled: boolean;
	alt_text?: string;
	/** Child media ids (carousel). */
	children?: string[];
	/** Carousel items are not on the account's /media edge. */
	isCarouselItem?: boolean;
	owner: string;
	/** Insights Meta has for this media; a metric missing here is "no data". */
	insights?: Record<string, number>;
	/** Hashtags in the caption (for hashtag search). */
	hashtags?: string[];
	/** Not owned by the account (found through hashtag search). */
	foreign?: boolean;
	/** Invited collaborators (image, reel, carousel). */
	collaborators?: IgCollaborator[];
	/** Published as a trial reel. */
	trialParams?: { graduation_strategy: string };
}

export interface IgCollaborator {
	id: string;
	username: string;
	invite_status: 'Pending' | 'Accepted' | 'Declined';
}

/** A collaboration invite another account sent to this one. */
export interface IgCollaborationInvite {
	media_id: string;
	media_owner_username: string;
	caption?: string;
	media_url: string;
	status: 'pending' | 'accepted' | 'declined';
}

export interface IgComment {
	id: string;
	media_id: string;
	parent_id?: string;
	text: string;
	timestamp: string;
	username: string;
	from: { id: string; username: string };
	like_count: number;
	hidden: boolean;
	privateReplied?: boolean;
}

export interface ContainerOutcome {
	/** GETs that still answer IN_PROGRESS before the outcome shows. */
	inProgressChecks?: number;
	outcome: 'FINISHED' | 'ERROR' | 'EXPIRED';
	/** Meta's `status` text. */
	status?: string;
}

export interface IgContainer {
	id: string;
	owner: string;
	params: Record<string, string>;
	kind: 'IMAGE' | 'REELS' | 'STORIES' | 'CAROUSEL' | 'CAROUSEL_ITEM_IMAGE' | 'CAROUSEL_ITEM_VIDEO';
	createdAt: number;
	checksLeft: number;
	outcome: ContainerOutcome['outcome'];
	statusText?: string;
	publishedMediaId?: string;
	/** Child container ids (carousel). */
	children?: string[];
}

export interface SentInstagramMessage {
	id: string;
	path: string;
	flavour: Flavour;
	recipient: { comment_id?: string; id?: string };
	text: string;
	at: number;
}

export interface InstagramState {
	accountId: string;
	pageId: string;
	username: string;
	profile: Record<string, unknown>;
	media: IgMedia[];
	comments: IgComment[];
	containers: Map<string, IgContainer>;
	/** Successful media_publish calls (the quota counts these). */
	published: Array<{ at: number; mediaId: string; containerId: string }>;
	quotaTotal: number;
	outcomes: Map<string, ContainerOutcome>;
	messages: SentInstagramMessage[];
	/** IGSID → when that person last messaged the account (DMs need one within 24 h). */
	conversations: Map<string, number>;
	hashtags: Map<string, string>;
	hashtagSearches: Array<{ at: number; name: string }>;
	accountInsights: Record<string, number>;
	/** Whether Meta lets this account publish trial reels (default true). */
	trialReelsEligible: boolean;
	collaborationInvites: IgCollaborationInvite[];
	/** Adds an invite from another account to collaborate on its post and returns it. */
	addCollaborationInvite(
		invite: Partial<IgCollaborationInvite> & { media_owner_username: string },
	): IgCollaborationInvite;
	/** Usage reported in headers, percent. Unset: derived from the calls of the last hour. */
	usage: { appCallCount?: number; bucCallCount?: number; totalTime?: number; throttleMinutes?: number };
	/** Calls per hour that make 100 % when usage is derived. */
	callsPerHourBudget: number;
	calls: number[];
	now(): number;
	/** Adds a post (newest first on /media) and returns it. */
	addMedia(media: Partial<IgMedia> & { timestamp?: string }): IgMedia;
	/** Adds a comment by someone else on a post and returns it. */
	addComment(mediaId: string, comment: Partial<IgComment> & { text: string }): IgComment;
}

export interface InstagramStandInOptions {
	accountId?: string;
	pageId?: string;
	username?: string;
	quotaTotal?: number;
	callsPerHourBudget?: number;
	/** Clock (ms); tests move it to age comments and containers. */
	now?: () => number;
}

const USER_FIELDS = [
	'id',
	'ig_id',
	'user_id',
	'username',
	'name',
	'biography',
	'website',
	'followers_count',
	'follows_count',
	'media_count',
	'profile_picture_url',
	'account_type',
];
const MEDIA_FIELDS = [
	'id',
	'caption',
	'media_type',
	'media_product_type',
	'media_url',
	'thumbnail_url',
	'permalink',
	'shortcode',
	'timestamp',
	'username',
	'like_count',
	'comments_count',
	'is_comment_enabled',
	'alt_text',
	'children',
	'owner',
	'is_shared_to_feed',
];
const COMMENT_FIELDS = [
	'id',
	'text',
	'timestamp',
	'username',
	'like_count',
	'hidden',
	'from',
	'parent_id',
	'media',
	'replies',
	'user',
];
const CONTAINER_FIELDS = ['id', 'status_code', 'status', 'copyright_check_status'];

const MEDIA_METRICS = [
	'comments',
	'follows',
	'likes',
	'profile_activity',
	'profile_visits',
	'reach',
	'reposts',
	'saved',
	'shares',
	'total_interactions',
	'views',
];
const REELS_METRICS = [
	'crossposted_views',
	'facebook_views',
	'ig_reels_avg_watch_time',
	'ig_reels_video_view_total_time',
	'reels_skip_rate',
];
const STORY_METRICS = ['navigation', 'replies'];
/** Metrics only the Instagram API with Facebook Login has (they need the linked Facebook Page). */
const FACEBOOK_LOGIN_METRICS = ['reposts', 'crossposted_views', 'facebook_views'];
const RETIRED_MEDIA_METRICS = [
	'impressions',
	'plays',
	'video_views',
	'clips_replays_count',
	'ig_reels_aggregated_all_plays_count',
	'engagement',
];
const ACCOUNT_METRICS = [
	'accounts_engaged',
	'comments',
	'follower_count',
	'follows_and_unfollows',
	'likes',
	'online_followers',
	'profile_links_taps',
	'reach',
	'replies',
	'reposts',
	'saves',
	'shares',
	'total_interactions',
	'views',
	'website_clicks',
	'profile_views',
];
const TIME_SERIES_METRICS = ['reach', 'follower_count', 'online_followers'];

let sequence = 0;
function igId(prefix = '179'): string {
	sequence++;
	return `${prefix}${String(Date.now()).slice(-8)}${String(sequence).padStart(5, '0')}`;
}

function shortcode(): string {
	return randomBytes(8)
		.toString('base64')
		.replace(/[^A-Za-z0-9]/g, 'x')
		.slice(0, 11);
}

/** Meta's timestamp format: 2024-05-01T10:00:00+0000. */
export function igTimestamp(ms: number): string {
	return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+0000');
}

function parseTs(value: string): number {
	return Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

/** Query string and body together: Meta accepts parameters in either. */
function params(ctx: RouteContext): Record<string, string> {
	const out: Record<string, string> = { ...ctx.query };
	if (ctx.body && typeof ctx.body === 'object' && !Array.isArray(ctx.body)) {
		for (const [key, value] of Object.entries(ctx.body as Record<string, unknown>)) {
			out[key] = typeof value === 'string' ? value : JSON.stringify(value);
		}
	}
	return out;
}

/** What Meta answers as: a retired version is served as the oldest available one. */
function answeredVersion(version: string | undefined): string {
	const wanted = Number(String(version ?? '').replace(/^v/, ''));
	const oldest = IG_GRAPH_VERSIONS[0];
	if (!Number.isFinite(wanted)) return IG_GRAPH_VERSIONS[IG_GRAPH_VERSIONS.length - 1];
	return wanted < Number(oldest.slice(1)) ? oldest : String(version);
}

/** A JSON array of strings (Meta's `collaborators`), or undefined when it is not one. */
function usernames(value: string): string[] | undefined {
	try {
		const parsed = JSON.parse(value) as unknown;
		return Array.isArray(parsed) && parsed.every((v) => typeof v === 'string') ? (parsed as string[]) : undefined;
	} catch {
		return undefined;
	}
}

/** Top-level entries of a `fields` list: `a,b{c,d},e` → a, b (sub "c,d"), e. */
function splitFields(value: string): Array<{ name: string; sub?: string }> {
	const out: Array<{ name: string; sub?: string }> = [];
	let depth = 0;
	let start = 0;
	for (let i = 0; i <= value.length; i++) {
		const ch = value[i];
		if (ch === '{') depth++;
		else if (ch === '}') depth--;
		else if (i === value.length || (ch === ',' && depth === 0)) {
			const part = value.slice(start, i).trim();
			start = i + 1;
			if (!part) continue;
			const brace = part.indexOf('{');
			out.push(
				brace < 0
					? { name: part }
					: { name: part.slice(0, brace).trim(), sub: part.slice(brace + 1, part.lastIndexOf('}')) },
			);
		}
	}
	return out;
}

/**
 * Picks the requested fields (with `edge{sub,fields}` expansion of nested `{data:[…]}` edges);
 * an unknown field gives Meta's "nonexisting field" message (returned as a string).
 */
function pickFields(
	fields: string | undefined,
	object: Record<string, unknown>,
	allowed: string[],
	nodeType: string,
	defaults: string[],
): string | Record<string, unknown> {
	const wanted = fields
		? splitFields(fields)
		: defaults.map((name) => ({ name, sub: undefined as string | undefined }));
	const unknown = wanted.find((f) => !allowed.includes(f.name));
	if (unknown) return `(#100) Tried accessing nonexisting field (${unknown.name}) on node type (${nodeType})`;
	const out: Record<string, unknown> = {};
	for (const { name, sub } of wanted) {
		const value = object[name];
		if (value === undefined) continue;
		const edge = value as { data?: unknown };
		// Meta's default sub-fields of an expanded comment edge; other edges carry their own.
		const subFields = sub ?? (name === 'replies' ? 'timestamp,text,id' : undefined);
		if (subFields && edge && typeof edge === 'object' && Array.isArray(edge.data)) {
			const data: Array<Record<string, unknown>> = [];
			for (const entry of edge.data as Array<Record<string, unknown>>) {
				const picked = pickFields(subFields, entry, allowed, nodeType, ['id']);
				if (typeof picked === 'string') return picked;
				data.push(picked);
			}
			out[name] = { data };
		} else out[name] = value;
	}
	out.id = object.id;
	return out;
}

export function instagram(options: InstagramStandInOptions = {}): StandInModule {
	return {
		name: 'instagram',
		setup(api: ModuleApi) {
			const accountId = options.accountId ?? IG_ACCOUNT_ID;
			const username = options.username ?? IG_USERNAME;
			const state: InstagramState = {
				accountId,
				pageId: options.pageId ?? IG_PAGE_ID,
				username,
				profile: {
					id: accountId,
					ig_id: 6046000000,
					user_id: accountId,
					username,
					name: 'Chai Point',
					biography: 'Fresh chai, delivered.',
					website: 'https://chai.example.com',
					followers_count: 1520,
					follows_count: 87,
					profile_picture_url: 'https://scontent.cdninstagram.com/v/standin/profile.jpg',
					account_type: 'BUSINESS',
				},
				media: [],
				comments: [],
				containers: new Map(),
				published: [],
				quotaTotal: options.quotaTotal ?? 100,
				outcomes: new Map(),
				messages: [],
				conversations: new Map(),
				hashtags: new Map([
					['chai', '17843857450040591'],
					['summersale', '17841562447105233'],
				]),
				hashtagSearches: [],
				accountInsights: {
					reach: 4200,
					views: 9100,
					accounts_engaged: 310,
					total_interactions: 540,
					likes: 420,
					comments: 61,
					follower_count: 12,
					reposts: 9,
				},
				trialReelsEligible: true,
				collaborationInvites: [],
				addCollaborationInvite(invite) {
					const mediaId = invite.media_id ?? igId();
					const item: IgCollaborationInvite = {
						media_id: mediaId,
						media_owner_username: invite.media_owner_username,
						caption: invite.caption,
						media_url: invite.media_url ?? `https://scontent.cdninstagram.com/v/standin/${mediaId}.jpg`,
						status: invite.status ?? 'pending',
					};
					state.collaborationInvites.push(item);
					return item;
				},
				usage: {},
				callsPerHourBudget: options.callsPerHourBudget ?? 4800,
				calls: [],
				now: options.now ?? (() => Date.now()),
				addMedia(media) {
					const id = media.id ?? igId();
					const code = media.shortcode ?? shortcode();
					const product = media.media_product_type ?? 'FEED';
					const item: IgMedia = {
						id,
						caption: media.caption,
						media_type: media.media_type ?? 'IMAGE',
						media_product_type: product,
						media_url: media.media_url ?? `https://scontent.cdninstagram.com/v/standin/${id}.jpg`,
						thumbnail_url: media.thumbnail_url,
						permalink:
							media.permalink ??
							(product === 'STORY'
								? `https://www.instagram.com/stories/${username}/${id}/`
								: `https://www.instagram.com/${product === 'REELS' ? 'reel' : 'p'}/${code}/`),
						shortcode: code,
						timestamp: media.timestamp ?? igTimestamp(state.now()),
						username: media.username ?? username,
						like_count: media.like_count ?? 0,
						comments_count: media.comments_count ?? 0,
						is_comment_enabled: media.is_comment_enabled ?? true,
						alt_text: media.alt_text,
						children: media.children,
						isCarouselItem: media.isCarouselItem,
						owner: media.owner ?? accountId,
						insights: media.insights,
						hashtags:
							media.hashtags ?? (media.caption?.match(/#(\w+)/g) ?? []).map((tag) => tag.slice(1).toLowerCase()),
						foreign: media.foreign,
					};
					state.media.push(item);
					state.media.sort((a, b) => parseTs(b.timestamp) - parseTs(a.timestamp));
					return item;
				},
				addComment(mediaId, comment) {
					const media = state.media.find((m) => m.id === mediaId);
					if (!media) throw new Error(`stand-in: no media ${mediaId}`);
					const from = comment.from ?? {
						id: `${Math.floor(Math.random() * 1e15) + 1e15}`,
						username: comment.username ?? 'customer',
					};
					const item: IgComment = {
						id: comment.id ?? igId('178'),
						media_id: mediaId,
						parent_id: comment.parent_id,
						text: comment.text,
						timestamp: comment.timestamp ?? igTimestamp(state.now()),
						username: comment.username ?? from.username,
						from,
						like_count: comment.like_count ?? 0,
						hidden: comment.hidden ?? false,
					};
					state.comments.push(item);
					if (!item.parent_id) media.comments_count++;
					return item;
				},
			};
			api.state.instagram = state;

			for (const flavour of ['facebook', 'instagram'] as const) register(api, state, flavour);
		},
	};
}

function register(api: ModuleApi, state: InstagramState, flavour: Flavour): void {
	const prefix = flavour === 'facebook' ? '/graph.facebook.com' : '/graph.instagram.com';
	const type = flavour === 'instagram' ? 'IGApiException' : 'OAuthException';

	const usageHeaders = (): Record<string, string> => {
		const now = state.now();
		while (state.calls.length && state.calls[0] < now - 3600_000) state.calls.shift();
		const derived = Math.min(100, Math.round((state.calls.length * 100) / state.callsPerHourBudget));
		const app = state.usage.appCallCount ?? derived;
		const buc = state.usage.bucCallCount ?? derived;
		const time = state.usage.totalTime ?? Math.round(buc / 2);
		return {
			'x-app-usage': JSON.stringify({ call_count: app, total_cputime: Math.round(time / 2), total_time: time }),
			'x-business-use-case-usage': JSON.stringify({
				[state.accountId]: [
					{
						type: 'instagram',
						call_count: buc,
						total_cputime: Math.round(time / 2),
						total_time: time,
						estimated_time_to_regain_access: state.usage.throttleMinutes ?? 0,
					},
				],
			}),
		};
	};

	const route = (method: string, pattern: string, name: string, handler: (ctx: RouteContext) => RouteResult) => {
		api.route(
			method,
			`${prefix}${pattern}`,
			(ctx) => {
				state.calls.push(state.now());
				let result: RouteResult;
				if (state.usage.throttleMinutes && state.usage.throttleMinutes > 0) {
					result = ctx.error({
						code: 80002,
						type,
						message:
							'There have been too many calls to this Instagram account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.',
					});
				} else {
					result = handler(ctx);
				}
				return {
					...result,
					headers: {
						...usageHeaders(),
						'facebook-api-version': answeredVersion(ctx.params.version),
						...(result.headers ?? {}),
					},
				};
			},
			{ name: `instagram.${name}` },
		);
	};

	const unknownObject = (ctx: RouteContext, id: string) =>
		ctx.error({
			code: 100,
			subcode: 33,
			type: 'GraphMethodException',
			message: `Unsupported ${ctx.request.method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
		});

	/** Picks the requested fields; an unknown field is Meta's "nonexisting field" error. */
	const pick = (
		ctx: RouteContext,
		object: Record<string, unknown>,
		allowed: string[],
		nodeType: string,
		defaults: string[],
	): RouteResult | Record<string, unknown> => {
		const picked = pickFields(ctx.query.fields, object, allowed, nodeType, defaults);
		if (typeof picked === 'string')
			return { __error: ctx.error({ code: 100, type, message: picked }) } as unknown as Record<string, unknown>;
		return picked;
	};
	const isError = (value: unknown): value is { __error: RouteResult } =>
		!!value && typeof value === 'object' && '__error' in value;
	/** Graph checks `fields` even when the edge is empty. */
	const fieldError = (ctx: RouteContext, allowed: string[], nodeType: string): RouteResult | undefined => {
		const probe = pick(ctx, { id: '' }, allowed, nodeType, ['id']);
		return isError(probe) ? probe.__error : undefined;
	};

	const mediaView = (media: IgMedia): Record<string, unknown> => ({
		...media,
		children: media.children ? { data: media.children.map((id) => ({ id })) } : undefined,
		owner: { id: media.owner },
		is_shared_to_feed: media.media_product_type === 'REELS' ? true : undefined,
		insights: undefined,
		hashtags: undefined,
		foreign: undefined,
		isCarouselItem: undefined,
	});
	const commentView = (comment: IgComment): Record<string, unknown> => ({
		...comment,
		media: { id: comment.media_id },
		user: undefined,
		privateReplied: undefined,
		media_id: undefined,
		// Replies oldest first, as Meta lists them; expanded with `replies{…}` (default id, text, timestamp).
		replies: {
			data: state.comments
				.filter((c) => c.parent_id === comment.id)
				.sort((a, b) => parseTs(a.timestamp) - parseTs(b.timestamp))
				.map((c) => commentView(c)),
		},
	});
	const ownMedia = (id: string) => state.media.find((m) => m.id === id && !m.foreign);
	const comment = (id: string) => state.comments.find((c) => c.id === id);
	const isAccount = (id: string) => id === state.accountId || id === 'me';

	// --- hashtags (Facebook Login only); registered before the generic /:id routes ---------------
	if (flavour === 'facebook') {
		route('GET', '/:version/ig_hashtag_search', 'hashtag.search', (ctx) => {
			const q = (ctx.query.q ?? '').replace(/^#/, '').toLowerCase();
			if (!ctx.query.user_id)
				return ctx.error({ code: 100, type, message: '(#100) The parameter user_id is required' });
			if (ctx.query.user_id !== state.accountId) return unknownObject(ctx, ctx.query.user_id);
			if (!q) return ctx.error({ code: 100, type, message: '(#100) The parameter q is required' });
			const weekAgo = state.now() - 7 * DAY;
			const recent = new Set(state.hashtagSearches.filter((s) => s.at > weekAgo).map((s) => s.name));
			if (!recent.has(q) && recent.size >= 30) {
				return ctx.error({
					code: 24,
					type,
					message: '(#24) The hashtag search limit has been reached: 30 unique hashtags per 7 days',
				});
			}
			state.hashtagSearches.push({ at: state.now(), name: q });
			if (!state.hashtags.has(q)) state.hashtags.set(q, igId('178'));
			return { body: { data: [{ id: state.hashtags.get(q) }] } };
		});
		for (const edge of ['top_media', 'recent_media'] as const) {
			route('GET', `/:version/:hashtagId/${edge}`, `hashtag.${edge}`, (ctx) => {
				const name = [...state.hashtags.entries()].find(([, id]) => id === ctx.params.hashtagId)?.[0];
				if (!name) return unknownObject(ctx, ctx.params.hashtagId);
				if (ctx.query.user_id !== state.accountId)
					return ctx.error({ code: 100, type, message: '(#100) The parameter user_id is required' });
				let media = state.media.filter((m) => m.hashtags?.includes(name) && !m.isCarouselItem);
				if (edge === 'recent_media') media = media.filter((m) => parseTs(m.timestamp) > state.now() - DAY);
				else media = [...media].sort((a, b) => b.like_count + b.comments_count - (a.like_count + a.comments_count));
				const allowed = [
					'id',
					'caption',
					'comments_count',
					'like_count',
					'media_type',
					'media_url',
					'permalink',
					'timestamp',
					'children',
				];
				const views = [];
				for (const m of media) {
					const view = pick(ctx, mediaView(m), allowed, 'IGMedia', ['id']);
					if (isError(view)) return view.__error;
					views.push(view);
				}
				return ctx.paginate(views, 25);
			});
		}
	}

	// --- collaboration (Facebook Login only) -------------------------------------------------------
	if (flavour === 'facebook') {
		route('GET', '/:version/:id/collaborators', 'media.collaborators', (ctx) => {
			const media = ownMedia(ctx.params.id);
			if (!media) return unknownObject(ctx, ctx.params.id);
			return { body: { data: (media.collaborators ?? []).map((c) => ({ ...c })) } };
		});
		route('GET', '/:version/:id/collaboration_invites', 'user.collaborationInvites', (ctx) => {
			if (!isAccount(ctx.params.id)) return unknownObject(ctx, ctx.params.id);
			const pending = state.collaborationInvites
				.filter((invite) => invite.status === 'pending')
				.map((invite) => ({
					media_id: invite.media_id,
					media_owner_username: invite.media_owner_username,
					caption: invite.caption,
					media_url: invite.media_url,
				}));
			return ctx.paginate(pending, 10);
		});
		route('POST', '/:version/:id/collaboration_invites', 'user.collaborationInvites.answer', (ctx) => {
			if (!isAccount(ctx.params.id)) return unknownObject(ctx, ctx.params.id);
			const p = params(ctx);
			if (!p.media_id) return ctx.error({ code: 100, type, message: '(#100) The parameter media_id is required' });
			if (p.accept !== 'true' && p.accept !== 'false')
				return ctx.error({ code: 100, type, message: '(#100) The parameter accept is required (true or false)' });
			const invite = state.collaborationInvites.find((i) => i.media_id === p.media_id && i.status === 'pending');
			if (!invite)
				return ctx.error({
					code: 100,
					type,
					message: `(#100) There is no pending collaboration invite for media ${p.media_id}`,
				});
			invite.status = p.accept === 'true' ? 'accepted' : 'declined';
			return { body: { success: true } };
		});
	}

	// --- IG User edges ---------------------------------------------------------------------------
	route('GET', '/:version/:id/media', 'user.media', (ctx) => {
		if (!isAccount(ctx.params.id)) return unknownObject(ctx, ctx.params.id);
		const invalidFields = fieldError(ctx, MEDIA_FIELDS, 'IGMedia');
		if (invalidFields) return invalidFields;
		const views = [];
		for (const m of state.media.filter((x) => !x.isCarouselItem && !x.foreign && x.media_product_type !== 'STORY')) {
			const view = pick(ctx, mediaView(m), MEDIA_FIELDS, 'IGMedia', ['id']);
			if (isError(view)) return view.__error;
			views.push(view);
		}
		return ctx.paginate(views, 25);
	});

	route('POST', '/:version/:id/media', 'container.create', (ctx) => {
		if (!isAccount(ctx.params.id)) return unknownObject(ctx, ctx.params.id);
		const p = params(ctx);
		const mediaType = (p.media_type ?? '').toUpperCase();
		const isItem = p.is_carousel_item === 'true';
		const url = p.image_url ?? p.video_url;
		const invalid = (message: string) => ctx.error({ code: 100, type, message: `(#100) ${message}` });
		let kind: IgContainer['kind'];
		let children: string[] | undefined;
		if (mediaType === 'CAROUSEL') {
			children = (p.children ?? '')
				.split(',')
				.map((s) => s.trim())
				.filter(Boolean);
			if (children.length < 2 || children.length > 10)
				return invalid('The carousel must have between 2 and 10 children.');
			for (const child of children) {
				const c = state.containers.get(child);
				if (!c || c.owner !== state.accountId || !c.kind.startsWith('CAROUSEL_ITEM'))
					return invalid(`Param children contains an invalid carousel item container id ${child}`);
			}
			kind = 'CAROUSEL';
		} else if (isItem) {
			if (mediaType === 'VIDEO') {
				if (!p.video_url) return invalid('The parameter video_url is required for media_type VIDEO');
				kind = 'CAROUSEL_ITEM_VIDEO';
			} else {
				if (!p.image_url) return invalid('The parameter image_url is required');
				kind = 'CAROUSEL_ITEM_IMAGE';
			}
		} else if (mediaType === 'REELS') {
			if (!p.video_url) return invalid('The parameter video_url is required for media_type REELS');
			kind = 'REELS';
		} else if (mediaType === 'STORIES') {
			if (!url) return invalid('The parameter image_url or video_url is required for media_type STORIES');
			kind = 'STORIES';
		} else if (mediaType === 'VIDEO') {
			return invalid('The media_type VIDEO is no longer supported for feed posts; use REELS');
		} else if (mediaType === '' || mediaType === 'IMAGE') {
			if (!p.image_url) return invalid('The parameter image_url is required');
			kind = 'IMAGE';
		} else {
			return invalid(
				`Param media_type must be one of {REELS, STORIES, CAROUSEL, VIDEO (carousel items)}; got ${mediaType}`,
			);
		}
		const refused = checkPublishExtras(ctx, p, kind);
		if (refused) return refused;
		if (url && !/^https?:\/\//.test(url)) {
			return ctx.error({
				code: 9004,
				subcode: 2207052,
				type,
				message: 'Only photo or video can be accepted as media type.',
				userTitle: 'Media download has failed',
				userMessage: 'The media could not be fetched from this URI. Please check that the URI is public.',
			});
		}
		const isVideo = kind === 'REELS' || kind === 'CAROUSEL_ITEM_VIDEO' || (kind === 'STORIES' && !!p.video_url);
		const hinted: ContainerOutcome | undefined = url?.includes('standin-error')
			? {
					outcome: 'ERROR',
					status:
						'Error: Media upload has failed with error code 2207026. Unsupported format: The video format is not supported.',
				}
			: url?.includes('standin-expired')
				? { outcome: 'EXPIRED', status: 'Expired: The media container was not published within 24 hours.' }
				: url?.includes('standin-slow')
					? { outcome: 'FINISHED', inProgressChecks: 3 }
					: undefined;
		const configured = (url ? state.outcomes.get(url) : undefined) ?? hinted;
		let outcome: ContainerOutcome = configured ?? { outcome: 'FINISHED', inProgressChecks: isVideo ? 2 : 0 };
		if (kind === 'CAROUSEL' && !configured) {
			const failed = children!.map((id) => state.containers.get(id)!).find((c) => c.outcome !== 'FINISHED');
			if (failed)
				outcome = {
					outcome: 'ERROR',
					status: `Error: The carousel item ${failed.id} failed: ${failed.statusText ?? failed.outcome}`,
				};
		}
		const id = igId('178');
		state.containers.set(id, {
			id,
			owner: state.accountId,
			params: p,
			kind,
			createdAt: state.now(),
			checksLeft: outcome.inProgressChecks ?? 0,
			outcome: outcome.outcome,
			statusText: outcome.status,
			children,
		});
		return { body: { id } };
	});

	route('POST', '/:version/:id/media_publish', 'media.publish', (ctx) => {
		if (!isAccount(ctx.params.id)) return unknownObject(ctx, ctx.params.id);
		const creationId = params(ctx).creation_id;
		const container = creationId ? state.containers.get(creationId) : undefined;
		if (!container || container.owner !== state.accountId) {
			return ctx.error({
				code: 100,
				type,
				message: '(#100) The parameter creation_id is required and must be a container of this account',
			});
		}
		const dayAgo = state.now() - DAY;
		if (state.published.filter((p) => p.at > dayAgo).length >= state.quotaTotal) {
			return ctx.error({
				code: 9,
				subcode: 2207042,
				type,
				message: 'Application request limit reached',
				userTitle: 'Content publishing limit reached',
				userMessage: 'You reached maximum number of posts that is allowed to be published by Content Publishing API.',
			});
		}
		const status = containerStatus(container);
		if (status === 'EXPIRED') {
			return ctx.error({
				code: -2,
				subcode: 2207020,
				type,
				message: 'The media you are trying to access has expired. Please try to upload again.',
			});
		}
		if (status === 'PUBLISHED')
			return ctx.error({ code: 100, type, message: '(#100) This container has already been published' });
		if (status !== 'FINISHED') {
			return ctx.error({
				code: 9007,
				subcode: 2207027,
				type,
				message: 'Media ID is not available',
				userTitle: 'Media not ready',
				userMessage: 'The media is not ready for publishing, please wait for a moment',
			});
		}
		const media = createMediaFrom(container);
		attachExtras(media, container.params);
		container.publishedMediaId = media.id;
		state.published.push({ at: state.now(), mediaId: media.id, containerId: container.id });
		return { body: { id: media.id } };
	});

	route('GET', '/:version/:id/content_publishing_limit', 'user.publishingLimit', (ctx) => {
		if (!isAccount(ctx.params.id)) return unknownObject(ctx, ctx.params.id);
		const since = ctx.query.since ? Number(ctx.query.since) * 1000 : state.now() - DAY;
		if (since < state.now() - DAY - 60_000)
			return ctx.error({ code: 100, type, message: '(#100) since must be a Unix timestamp no older than 24 hours' });
		const entry: Record<string, unknown> = { quota_usage: state.published.filter((p) => p.at > since).length };
		const fields = (ctx.query.fields ?? 'quota_usage').split(',').map((f) => f.trim());
		if (fields.includes('config')) entry.config = { quota_total: state.quotaTotal, quota_duration: 86400 };
		if (!fields.includes('quota_usage')) delete entry.quota_usage;
		return { body: { data: [entry] } };
	});

	route('GET', '/:version/:id/insights', 'insights', (ctx) => {
		const metrics = (ctx.query.metric ?? '')
			.split(',')
			.map((m) => m.trim())
			.filter(Boolean);
		if (!metrics.length) return ctx.error({ code: 100, type, message: '(#100) The parameter metric is required' });
		if (isAccount(ctx.params.id)) return accountInsights(ctx, metrics);
		const media = ownMedia(ctx.params.id);
		if (!media) return unknownObject(ctx, ctx.params.id);
		const onThisHost = (list: string[]) =>
			list.filter((metric) => flavour === 'facebook' || !FACEBOOK_LOGIN_METRICS.includes(metric));
		const allowed = onThisHost([
			...MEDIA_METRICS,
			...(media.media_product_type === 'REELS' ? REELS_METRICS : []),
			...(media.media_product_type === 'STORY' ? STORY_METRICS : []),
		]);
		for (const metric of metrics) {
			if (
				RETIRED_MEDIA_METRICS.includes(metric) ||
				!onThisHost([...MEDIA_METRICS, ...REELS_METRICS, ...STORY_METRICS]).includes(metric)
			) {
				return ctx.error({
					code: 100,
					type,
					message: `(#100) metric[${metrics.indexOf(metric)}] must be one of the following values: ${allowed.join(', ')}`,
				});
			}
			if (!allowed.includes(metric)) {
				return ctx.error({
					code: 100,
					type,
					message: `(#100) The Media Insights API does not support the ${metric} metric for this media product type.`,
				});
			}
		}
		const data = metrics
			.filter((metric) => media.insights?.[metric] !== undefined)
			.map((metric) => ({
				name: metric,
				period: 'lifetime',
				values: [{ value: media.insights![metric] }],
				title: metric.replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase()),
				description: `Lifetime ${metric} of this media`,
				id: `${media.id}/insights/${metric}/lifetime`,
			}));
		return { body: { data } };
	});

	function accountInsights(ctx: RouteContext, metrics: string[]): RouteResult {
		const period = ctx.query.period;
		if (!period) return ctx.error({ code: 100, type, message: '(#100) The parameter period is required' });
		if (!['day', 'week', 'days_28', 'lifetime'].includes(period))
			return ctx.error({ code: 100, type, message: '(#100) period must be one of: day, week, days_28, lifetime' });
		for (const metric of metrics) {
			if (!ACCOUNT_METRICS.includes(metric)) {
				return ctx.error({
					code: 100,
					type,
					message: `(#100) metric[${metrics.indexOf(metric)}] must be one of the following values: ${ACCOUNT_METRICS.join(', ')}`,
				});
			}
		}
		const totalValue = ctx.query.metric_type === 'total_value';
		const needsTotal = metrics.filter((m) => !TIME_SERIES_METRICS.includes(m));
		if (!totalValue && needsTotal.length) {
			return ctx.error({
				code: 100,
				type,
				message: `(#100) The following metrics (${needsTotal.join(', ')}) should be specified with parameter metric_type=total_value`,
			});
		}
		const end = state.now();
		const data = metrics
			.filter((metric) => state.accountInsights[metric] !== undefined)
			.map((metric) => {
				const value = state.accountInsights[metric];
				const base = {
					name: metric,
					period,
					title: metric.replace(/_/g, ' '),
					description: `${metric} of the account`,
					id: `${state.accountId}/insights/${metric}/${period}`,
				};
				return totalValue
					? { ...base, total_value: { value } }
					: {
							...base,
							values: [
								{ value: Math.floor(value / 2), end_time: igTimestamp(end - DAY) },
								{ value: value - Math.floor(value / 2), end_time: igTimestamp(end) },
							],
						};
			});
		return { body: { data } };
	}

	// --- messaging -----------------------------------------------------------------------------
	route('POST', '/:version/:id/messages', 'messages', (ctx) => {
		const target = ctx.params.id;
		const allowedTarget = flavour === 'instagram' ? isAccount(target) : target === state.pageId || target === 'me';
		if (!allowedTarget) return unknownObject(ctx, target);
		const body = (ctx.body ?? {}) as { recipient?: { comment_id?: string; id?: string }; message?: { text?: string } };
		const text = body.message?.text;
		if (!body.recipient || (!body.recipient.comment_id && !body.recipient.id)) {
			return ctx.error({ code: 100, type, message: '(#100) The parameter recipient is required' });
		}
		if (typeof text !== 'string' || !text.trim())
			return ctx.error({ code: 100, type, message: '(#100) The parameter message is required' });
		if (text.length > 1000)
			return ctx.error({
				code: 100,
				type,
				message: '(#100) Length of param message[text] must be less than or equal to 1000',
			});
		const outsideWindow = () =>
			ctx.error({ code: 10, subcode: 2534022, type, message: 'This message is sent outside of allowed window.' });
		let recipientId: string;
		if (body.recipient.comment_id) {
			const c = comment(body.recipient.comment_id);
			if (!c || !ownMedia(c.media_id))
				return ctx.error({ code: 100, subcode: 2534014, type, message: 'No matching user found' });
			// One private reply per comment, within 7 days of the comment. Meta does not document a
			// separate code for the second reply; it answers like the 7-day window (modelled so).
			if (c.privateReplied || state.now() - parseTs(c.timestamp) > 7 * DAY) return outsideWindow();
			c.privateReplied = true;
			recipientId = c.from.id;
			state.conversations.set(recipientId, state.conversations.get(recipientId) ?? 0);
		} else {
			recipientId = body.recipient.id!;
			const last = state.conversations.get(recipientId);
			if (last === undefined)
				return ctx.error({ code: 100, subcode: 2534014, type, message: 'No matching user found' });
			if (state.now() - last > DAY) return outsideWindow();
		}
		const id = `aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOj${randomBytes(9).toString('hex')}`;
		state.messages.push({ id, path: ctx.request.path, flavour, recipient: body.recipient, text, at: state.now() });
		return { body: { recipient_id: recipientId, message_id: id } };
	});

	// --- media / comment edges -------------------------------------------------------------------
	route('GET', '/:version/:id/children', 'media.children', (ctx) => {
		const media = ownMedia(ctx.params.id);
		if (!media) return unknownObject(ctx, ctx.params.id);
		const views = [];
		for (const childId of media.children ?? []) {
			const child = state.media.find((m) => m.id === childId)!;
			const view = pick(ctx, mediaView(child), MEDIA_FIELDS, 'IGMedia', ['id']);
			if (isError(view)) return view.__error;
			views.push(view);
		}
		return { body: { data: views } };
	});

	const listComments = (ctx: RouteContext, list: IgComment[]) => {
		const invalidFields = fieldError(ctx, COMMENT_FIELDS, 'IGComment');
		if (invalidFields) return invalidFields;
		const views = [];
		for (const c of [...list].sort((a, b) => parseTs(b.timestamp) - parseTs(a.timestamp))) {
			const view = pick(ctx, commentView(c), COMMENT_FIELDS, 'IGComment', ['id', 'text', 'timestamp']);
			if (isError(view)) return view.__error;
			views.push(view);
		}
		return ctx.paginate(views, 50);
	};

	route('GET', '/:version/:id/comments', 'media.comments', (ctx) => {
		if (!ownMedia(ctx.params.id)) return unknownObject(ctx, ctx.params.id);
		return listComments(
			ctx,
			state.comments.filter((c) => c.media_id === ctx.params.id && !c.parent_id),
		);
	});

	route('GET', '/:version/:id/replies', 'comment.replies', (ctx) => {
		if (!comment(ctx.params.id)) return unknownObject(ctx, ctx.params.id);
		return listComments(
			ctx,
			state.comments.filter((c) => c.parent_id === ctx.params.id),
		);
	});

	route('POST', '/:version/:id/replies', 'comment.reply', (ctx) => {
		const parent = comment(ctx.params.id);
		if (!parent || !ownMedia(parent.media_id)) return unknownObject(ctx, ctx.params.id);
		const message = params(ctx).message;
		if (!message) return ctx.error({ code: 100, type, message: '(#100) The parameter message is required' });
		const reply = state.addComment(parent.media_id, {
			text: message,
			parent_id: parent.id,
			username: state.username,
			from: { id: state.accountId, username: state.username },
		});
		return { body: { id: reply.id } };
	});

	// --- objects ---------------------------------------------------------------------------------
	route('GET', '/:version/:id', 'object', (ctx) => {
		const id = ctx.params.id;
		if (isAccount(id)) {
			const profile = {
				...state.profile,
				media_count: state.media.filter((m) => !m.isCarouselItem && !m.foreign && m.media_product_type !== 'STORY')
					.length,
			};
			const view = pick(ctx, profile, USER_FIELDS, 'IGUser', ['id', 'username']);
			return isError(view) ? view.__error : { body: view };
		}
		const container = state.containers.get(id);
		if (container) {
			const status_code = containerStatus(container, true);
			const status =
				status_code === 'IN_PROGRESS'
					? 'In Progress: Media is still being processed.'
					: status_code === 'FINISHED'
						? 'Finished: Media has been uploaded and it is ready to be published.'
						: status_code === 'PUBLISHED'
							? 'Published: Media has been successfully published.'
							: (container.statusText ??
								(status_code === 'EXPIRED'
									? 'Expired: The media container was not published within 24 hours.'
									: 'Error: Media upload has failed.'));
			const view = pick(ctx, { id, status_code, status }, CONTAINER_FIELDS, 'ShadowIGMediaBuilder', ['id']);
			return isError(view) ? view.__error : { body: view };
		}
		const media = state.media.find((m) => m.id === id);
		if (media) {
			const view = pick(ctx, mediaView(media), MEDIA_FIELDS, 'IGMedia', ['id']);
			return isError(view) ? view.__error : { body: view };
		}
		const c = comment(id);
		if (c) {
			const view = pick(ctx, commentView(c), COMMENT_FIELDS, 'IGComment', ['id', 'text', 'timestamp']);
			return isError(view) ? view.__error : { body: view };
		}
		return unknownObject(ctx, id);
	});

	route('POST', '/:version/:id', 'comment.hide', (ctx) => {
		const c = comment(ctx.params.id);
		if (!c || !ownMedia(c.media_id)) return unknownObject(ctx, ctx.params.id);
		const hide = params(ctx).hide;
		if (hide !== 'true' && hide !== 'false')
			return ctx.error({ code: 100, type, message: '(#100) The parameter hide is required (true or false)' });
		c.hidden = hide === 'true';
		return { body: { success: true } };
	});

	route('DELETE', '/:version/:id', 'comment.delete', (ctx) => {
		const c = comment(ctx.params.id);
		if (!c || !ownMedia(c.media_id)) return unknownObject(ctx, ctx.params.id);
		const removed = new Set([c.id, ...state.comments.filter((x) => x.parent_id === c.id).map((x) => x.id)]);
		state.comments = state.comments.filter((x) => !removed.has(x.id));
		if (!c.parent_id) ownMedia(c.media_id)!.comments_count--;
		return { body: { success: true } };
	});

	/** `collaborators` and `trial_params` on a container: only where Meta allows them, within its limits. */
	function checkPublishExtras(
		ctx: RouteContext,
		p: Record<string, string>,
		kind: IgContainer['kind'],
	): RouteResult | undefined {
		const invalid = (message: string) => ctx.error({ code: 100, type, message: `(#100) ${message}` });
		if (p.collaborators !== undefined) {
			if (kind === 'STORIES' || kind.startsWith('CAROUSEL_ITEM'))
				return invalid(
					'Collaborators are supported on feed images, reels and carousels only, not on stories or carousel items',
				);
			const list = usernames(p.collaborators);
			if (!list) return invalid('Param collaborators must be a JSON array of Instagram usernames');
			if (list.length > IG_MAX_COLLABORATORS)
				return invalid(`Param collaborators can have at most ${IG_MAX_COLLABORATORS} usernames; got ${list.length}`);
			const bad = list.find((name) => !/^[A-Za-z0-9._]{1,30}$/.test(name));
			if (bad !== undefined) return invalid(`Param collaborators contains an invalid username: ${bad}`);
		}
		if (p.trial_params !== undefined) {
			if (kind !== 'REELS') return invalid('Param trial_params is only supported for media_type REELS');
			let strategy: unknown;
			try {
				strategy = (JSON.parse(p.trial_params) as { graduation_strategy?: unknown }).graduation_strategy;
			} catch {
				strategy = undefined;
			}
			if (strategy !== 'MANUAL' && strategy !== 'SS_PERFORMANCE')
				return invalid('Param trial_params[graduation_strategy] must be one of {MANUAL, SS_PERFORMANCE}');
			if (!state.trialReelsEligible) {
				return ctx.error({
					code: 10,
					type,
					message: '(#10) This Instagram account is not eligible to publish trial reels.',
					userTitle: 'Trial reels unavailable',
					userMessage: 'Trial reels are not available for this account yet.',
				});
			}
		}
		return undefined;
	}

	/** What a published post keeps of its container's collaborators and trial parameters. */
	function attachExtras(media: IgMedia, p: Record<string, string>): void {
		const list = p.collaborators !== undefined ? usernames(p.collaborators) : undefined;
		if (list?.length)
			media.collaborators = list.map((username) => ({ id: igId('178'), username, invite_status: 'Pending' }));
		if (p.trial_params) media.trialParams = JSON.parse(p.trial_params) as { graduation_strategy: string };
	}

	/** Status of a container; `check` consumes one IN_PROGRESS answer (a status GET). */
	function containerStatus(container: IgContainer, check = false): string {
		if (container.publishedMediaId) return 'PUBLISHED';
		if (state.now() - container.createdAt > DAY) return 'EXPIRED';
		if (container.checksLeft > 0) {
			if (check) container.checksLeft--;
			return 'IN_PROGRESS';
		}
		return container.outcome;
	}

	function createMediaFrom(container: IgContainer): IgMedia {
		const p = container.params;
		if (container.kind === 'CAROUSEL') {
			const children = container.children!.map((childId) => {
				const child = state.containers.get(childId)!;
				child.publishedMediaId = child.publishedMediaId ?? 'carousel-item';
				const video = child.kind === 'CAROUSEL_ITEM_VIDEO';
				return state.addMedia({
					media_type: video ? 'VIDEO' : 'IMAGE',
					media_url: `https://scontent.cdninstagram.com/v/standin/${child.id}.${video ? 'mp4' : 'jpg'}`,
					isCarouselItem: true,
				}).id;
			});
			return state.addMedia({
				media_type: 'CAROUSEL_ALBUM',
				caption: p.caption,
				children,
				media_url: `https://scontent.cdninstagram.com/v/standin/${container.id}.jpg`,
			});
		}
		if (container.kind === 'REELS') {
			return state.addMedia({
				media_type: 'VIDEO',
				media_product_type: 'REELS',
				caption: p.caption,
				media_url: `https://scontent.cdninstagram.com/v/standin/${container.id}.mp4`,
				thumbnail_url: `https://scontent.cdninstagram.com/v/standin/${container.id}_thumb.jpg`,
			});
		}
		if (container.kind === 'STORIES') {
			const video = !!p.video_url;
			return state.addMedia({
				media_type: video ? 'VIDEO' : 'IMAGE',
				media_product_type: 'STORY',
				media_url: `https://scontent.cdninstagram.com/v/standin/${container.id}.${video ? 'mp4' : 'jpg'}`,
			});
		}
		return state.addMedia({
			media_type: 'IMAGE',
			caption: p.caption,
			alt_text: p.alt_text,
			media_url: `https://scontent.cdninstagram.com/v/standin/${container.id}.jpg`,
		});
	}
}
