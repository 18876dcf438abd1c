// What a Meta credential's test says when Meta refuses it. n8n's credential tester reports only the
// HTTP reason phrase of a failed test request ("Bad Request"), so the test request reads Meta's error
// body (`ignoreHttpStatusErrors`) and these rules turn Meta's error code into what is wrong and what
// to do. The last rule catches any answer without the account's id (an unlisted error, a proxy page).
import type { ICredentialTestRequest } from 'n8n-workflow';

type Rules = NonNullable<ICredentialTestRequest['rules']>;

/**
 * @param token where the token is set, e.g. "Access Token"
 * @param account what the test reads, e.g. "WhatsApp Business Account"
 * @param accountField the credential field holding its ID, e.g. "WhatsApp Business Account ID"
 */
export function metaCredentialTestRules(token: string, account: string, accountField: string): Rules {
	const code = (value: number, message: string) => ({
		type: 'responseSuccessBody' as const,
		properties: { key: 'error.code', value, message: `Meta error ${value}: ${message}` },
	});
	const expired = (subcode: number, why: string) => ({
		type: 'responseSuccessBody' as const,
		properties: {
			key: 'error.error_subcode',
			value: subcode,
			message: `Meta error 190 (subcode ${subcode}): ${why}. Create a new token (a System User token from Business Settings does not expire) and paste it into ${token}.`,
		},
	});
	const rateLimited =
		'Meta is rate-limiting this app or account right now; the credential may be fine. Test again in a few minutes.';
	return [
		expired(463, 'the access token has expired'),
		expired(460, 'the access token was revoked because the password of its user changed'),
		expired(458, "the access token was revoked because its user removed the app's access"),
		expired(467, 'the access token is no longer valid (its user logged out or it was revoked)'),
		code(
			190,
			`the access token is invalid, expired or revoked (a user token expires; a password change or removed app access revokes it). Create a new token (a System User token from Business Settings does not expire) and paste it into ${token}.`,
		),
		code(102, `the session behind the access token has ended. Create a new token and paste it into ${token}.`),
		code(
			10,
			`permission denied: the app or token has no access to this ${account}. In Business Settings, assign the ${account} to the System User (or user) whose token this is.`,
		),
		code(
			200,
			`the token lacks a permission the ${account} needs. Create the token again with the permissions the credential lists.`,
		),
		code(
			100,
			`Meta cannot find this ${account} for this token. Check ${accountField}, and that the token's user or System User has access to it.`,
		),
		code(803, `no ${account} has this ID. Check ${accountField}.`),
		code(4, rateLimited),
		code(17, rateLimited),
		code(32, rateLimited),
		code(613, rateLimited),
		code(80007, rateLimited),
		code(2, 'Meta had a temporary problem. Test again in a minute.'),
		{
			type: 'responseSuccessBody',
			properties: {
				key: 'id',
				value: undefined,
				message: `The test did not get the ${account} back: the answer was not from Meta's Graph API or was an error without a known code. Check the access token, ${accountField} and Base URL.`,
			},
		},
	];
}
