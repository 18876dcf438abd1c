import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { compact, toTags } from '../../shared/fields';
import { serviceRequest } from '../../shared/transport';
import { forOperation } from '../../../shared/operation';
import { InputError } from '../../../shared/errors';
import { choices, collectionField, textField } from '../../../shared/fields';

const MATCH_OPTIONS = choices(['Any Tag', 'any'], ['All Tags', 'all']);

export const description = forOperation('campaign', 'create', [
	textField('Name', 'name', { required: true, placeholder: 'e.g. Diwali sale 2026' }),
	textField('Template Name', 'templateName', {
		required: true,
		placeholder: 'e.g. new_post_alert',
		description: 'The approved WhatsApp message template the campaign sends',
	}),
	{
		displayName: 'Template Language',
		name: 'templateLanguage',
		type: 'string',
		default: 'en',
		required: true,
		placeholder: 'e.g. en_US',
	},
	{
		displayName: 'Audience Tags',
		name: 'audienceTags',
		type: 'string',
		default: '',
		placeholder: 'e.g. customers, diwali',
		description:
			'Comma-separated: contacts with any of these tags. Empty: all contacts. Only opted-in contacts are ever included; the rest are counted as skipped.',
	},
	collectionField('Additional Fields', 'additionalFields', 'Add Field', [
		{
			displayName: 'Body Parameters',
			name: 'parameters',
			type: 'string',
			default: '',
			placeholder: 'e.g. {{name}}, 20% off',
			description:
				'Comma-separated template body parameters; {{name}} and {{wa_ID}} are replaced with each recipient’s values',
		},
		{
			displayName: 'Audience Match',
			name: 'match',
			type: 'options',
			default: 'any',
			options: MATCH_OPTIONS,
			description: 'Whether a contact needs any or all of the audience tags',
		},
		{
			displayName: 'Start At',
			name: 'scheduled_at',
			type: 'dateTime',
			default: '',
			description:
				'Start sending at this time: until then Claim Recipients hands out nobody (the report says "Scheduled")',
		},
		{
			displayName: 'Idempotency Key',
			name: 'idempotency_key',
			type: 'string',
			default: '',
			placeholder: 'e.g. instagram-post-17912345678901234',
			description:
				'Your key for this campaign (e.g. the Instagram post ID). Creating a campaign with the same key again returns the existing campaign instead of a new one, so a re-run resumes without resending.',
		},
	]),
]);

/** A Start At value as the service expects it (ISO 8601 with a time zone); n8n's dateTime has none. */
function startAt(value: unknown): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const at = new Date(String(value));
	if (Number.isNaN(at.getTime()))
		throw new InputError(
			`Start At: expected a date and time, received "${String(value)}"`,
			'Pick a date and time, or remove the field to start now.',
		);
	return at.toISOString();
}

/** "a, {{name}}" → ["a", "{{name}}"]; arrays pass through. */
export function toParameters(value: unknown): string[] {
	if (Array.isArray(value)) return value.map(String);
	return toTags(value);
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const additional = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
	const tags = toTags(this.getNodeParameter('audienceTags', itemIndex, ''));
	const body = compact({
		name: this.getNodeParameter('name', itemIndex) as string,
		template: {
			name: this.getNodeParameter('templateName', itemIndex) as string,
			language: this.getNodeParameter('templateLanguage', itemIndex) as string,
		},
		parameters: additional.parameters === undefined ? undefined : toParameters(additional.parameters),
		audience: compact({ tags, match: additional.match as string | undefined }),
		idempotency_key: additional.idempotency_key as string | undefined,
		scheduled_at: startAt(additional.scheduled_at),
	});
	return await serviceRequest.call(this, { method: 'POST', path: '/campaigns', body, itemIndex });
}
