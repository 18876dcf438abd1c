// Pure helpers about the Graph API host and Instagram's data shapes. No I/O.
import { graphBase } from '../../shared/graph';

export type LoginType = 'facebook' | 'instagram';

export interface InstagramCredentials {
	loginType: LoginType;
	accessToken: string;
	accountId: string;
	pageId?: string;
	apiVersion: string;
	baseUrl?: string;
}

/** https://graph.facebook.com/v24.0 (Facebook Login) or https://graph.instagram.com/v24.0 (Instagram Login). */
export function graphBaseUrl(credentials: InstagramCredentials): string {
	const host =
		credentials.baseUrl?.trim() || (credentials.loginType === 'instagram' ? 'https://graph.instagram.com' : undefined);
	return graphBase(host, credentials.apiVersion);
}

/** Where private replies and DMs are sent: the IG account (Instagram Login) or the Page (Facebook Login). */
export function messagesPath(credentials: InstagramCredentials): string {
	if (credentials.loginType === 'instagram') return `/${credentials.accountId}/messages`;
	return credentials.pageId?.trim() ? `/${credentials.pageId.trim()}/messages` : '/me/messages';
}

/** Instagram timestamps look like 2024-05-01T10:00:00+0000; returns epoch ms (NaN if unreadable). */
export function parseIgTimestamp(value: unknown): number {
	if (typeof value !== 'string') return NaN;
	const normalised = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
	return Date.parse(normalised);
}

/** Splits "a, b,,c" into ["a","b","c"]. */
export function splitList(value: unknown): string[] {
	if (Array.isArray(value))
		return value
			.map(String)
			.map((v) => v.trim())
			.filter(Boolean);
	if (typeof value !== 'string') return [];
	return value
		.split(',')
		.map((v) => v.trim())
		.filter(Boolean);
}
