// Instagram's meaning of Meta error codes, layered on the shared Meta error module
// (nodes/shared/metaErrors.ts). The only place the Instagram nodes turn a Graph error into a
// NodeApiError, so every error a user sees carries Meta's code, a fix and the fbtrace_id.
import type { INode, NodeApiError } from 'n8n-workflow';
import { metaApiError, parseMetaError, type MetaErrorInfo } from '../../shared/metaErrors';

/** What the call was for: some codes mean something specific to one operation. */
export type InstagramCallContext = 'privateReply' | 'sendMessage' | 'publish' | 'hashtag' | 'insights' | 'other';

const RATE_LIMIT_FIX = 'wait and run again later; the node already slows down when Meta reports high usage';

/** Subcode-specific meanings from Meta's Instagram error reference. */
const BY_SUBCODE: Record<number, MetaErrorInfo> = {
	2207042: {
		title: 'the account reached its content publishing limit (posts per 24 h)',
		fix: 'wait until older posts leave the 24 h window; check Publish → quota before publishing',
		retryable: false,
		cause: 'quota-exhausted',
	},
	2207027: {
		title: 'the media container is not ready to publish',
		fix: 'wait until its status_code is FINISHED, then publish',
		retryable: true,
	},
	2207020: {
		title: 'the media container expired (not published within 24 h)',
		fix: 'create a new container and publish it',
		retryable: false,
	},
	2207026: {
		title: 'the video format is not supported',
		fix: "use an MP4/MOV (H.264, AAC) that meets Instagram's video specs",
		retryable: false,
	},
	2207052: {
		title: 'Instagram could not fetch the media from its URL',
		fix: 'make sure the URL is public (no login, no redirects to HTML) and points to the file itself',
		retryable: false,
	},
	2207004: { title: 'the image is too large', fix: 'use an image under 8 MB', retryable: false },
	2207009: {
		title: 'the aspect ratio is not supported',
		fix: 'use an aspect ratio between 4:5 and 1.91:1 for feed images',
		retryable: false,
	},
	2534022: {
		title: 'outside the allowed messaging window',
		fix: 'private replies must be sent within 7 days of the comment; a DM needs the person to have messaged you within 24 h',
		retryable: false,
	},
};

const BY_CODE: Record<number, MetaErrorInfo> = {
	10: {
		title: 'permission denied or messaging not allowed',
		fix: 'grant instagram_manage_messages / instagram_business_manage_messages (Instagram Login) or the Page messaging permissions',
		retryable: false,
		cause: 'configuration-invalid',
	},
	24: {
		title: 'hashtag search limit reached (30 unique hashtags per 7 days)',
		fix: 'reuse hashtags you already searched or wait',
		retryable: false,
		cause: 'quota-exhausted',
	},
	80002: {
		title: 'too many calls to this Instagram account (business use case rate limit)',
		fix: RATE_LIMIT_FIX,
		retryable: true,
		cause: 'rate-limited',
	},
	4: { title: 'the app hit its API call rate limit', fix: RATE_LIMIT_FIX, retryable: true, cause: 'rate-limited' },
	17: { title: 'the user hit its API call rate limit', fix: RATE_LIMIT_FIX, retryable: true, cause: 'rate-limited' },
	32: { title: 'the page hit its API call rate limit', fix: RATE_LIMIT_FIX, retryable: true, cause: 'rate-limited' },
	613: { title: 'call rate limit exceeded', fix: RATE_LIMIT_FIX, retryable: true, cause: 'rate-limited' },
	9007: {
		title: 'the media is not ready to publish',
		fix: 'wait until the container status_code is FINISHED',
		retryable: true,
	},
	190: {
		title: 'access token expired or invalid',
		fix: 'create a new long-lived token (Instagram Login tokens last 60 days; refresh them) and update the Instagram credential',
		retryable: false,
		stopRun: true,
		cause: 'credential-invalid',
	},
};

const PRIVATE_REPLY_RULE: MetaErrorInfo = {
	title: 'this comment cannot get a private reply',
	fix: 'Instagram allows one private reply per comment, within 7 days of the comment; this one was already answered privately or is too old',
	retryable: false,
};

const PUBLISH_NOT_ALLOWED: MetaErrorInfo = {
	title: 'this account may not publish this (e.g. trial reels are not available to it)',
	fix: 'Meta offers trial reels to some accounts only: publish it as a regular reel (Trial Reel: No); otherwise check that the token has instagram_content_publish',
	retryable: false,
	cause: 'configuration-invalid',
};

/** The `extra` codes for the shared module, chosen by subcode and operation. */
export function instagramErrorInfo(body: unknown, context: InstagramCallContext): Record<number, MetaErrorInfo> {
	const error = parseMetaError(body);
	const code = typeof error?.code === 'number' ? error.code : undefined;
	if (code === undefined) return BY_CODE;
	const subcode = typeof error?.error_subcode === 'number' ? error.error_subcode : undefined;
	if (context === 'privateReply' && (code === 10 || subcode === 2534022 || (code === 100 && subcode === 2534023))) {
		return { ...BY_CODE, [code]: PRIVATE_REPLY_RULE };
	}
	if (subcode !== undefined && BY_SUBCODE[subcode]) return { ...BY_CODE, [code]: BY_SUBCODE[subcode] };
	if (context === 'publish' && code === 10) return { ...BY_CODE, 10: PUBLISH_NOT_ALLOWED };
	if (context === 'hashtag' && code === 100) {
		return {
			...BY_CODE,
			100: {
				title: 'hashtag request rejected',
				fix: 'hashtag search works only with Facebook Login (graph.facebook.com); check the hashtag id and user_id',
				retryable: false,
			},
		};
	}
	return BY_CODE;
}

export function instagramApiError(
	node: INode,
	response: { body?: unknown; status?: number; headers?: Record<string, unknown> },
	options: { itemIndex?: number; context?: InstagramCallContext } = {},
): NodeApiError {
	return metaApiError(node, response, {
		product: 'Instagram',
		itemIndex: options.itemIndex,
		extra: instagramErrorInfo(response.body, options.context ?? 'other'),
	});
}

/** A container's `status` text may carry a subcode, e.g. "Error: … (2207026)"; the fix for it, if known. */
export function containerStatusFix(statusText: string): string | undefined {
	const match = /\b(22\d{5})\b/.exec(statusText);
	if (!match) return undefined;
	const info = BY_SUBCODE[Number(match[1])];
	return info ? `${info.title} — ${info.fix}` : undefined;
}
