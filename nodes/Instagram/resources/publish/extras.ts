// Collaborators and trial reels on publishing: the fields, and pure checks that refuse bad input
// before anything is sent to Meta (nothing is created when they fail).
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { InputError } from '../../../shared/errors';
import { textField } from '../../../shared/fields';

/** Meta's limit: up to 5 collaborators on one post (IG Media collaborators reference). */
export const MAX_COLLABORATORS = 5;

/** Instagram usernames: letters, digits, periods and underscores, at most 30 characters. */
const USERNAME = /^[A-Za-z0-9._]{1,30}$/;

export const TRIAL_STRATEGIES = ['MANUAL', 'SS_PERFORMANCE'] as const;
export type TrialStrategy = (typeof TRIAL_STRATEGIES)[number];

export function collaboratorsField(): INodeProperties {
	return textField('Collaborators', 'collaborators', {
		placeholder: 'chai_lovers, @mumbai.eats',
		description: `Up to ${MAX_COLLABORATORS} Instagram usernames (comma-separated) invited as collaborators. Each gets an invite; once accepted, the post also shows on their profile.`,
	});
}

export function trialReelField(): INodeProperties {
	return {
		displayName: 'Trial Reel',
		name: 'trialReel',
		type: 'options',
		options: [
			{ name: 'No (Regular Reel)', value: 'off' },
			{
				name: 'Trial, Share With Followers Manually',
				value: 'MANUAL',
				description: 'Shown to non-followers first; share it with followers yourself in the Instagram app',
			},
			{
				name: 'Trial, Share Automatically if It Performs Well',
				value: 'SS_PERFORMANCE',
				description: 'Shown to non-followers first; Instagram shares it with followers if it performs well',
			},
		],
		default: 'off',
		description:
			"Whether to publish a trial reel (trial_params). Meta offers trial reels only to some accounts; others get Meta's refusal and nothing is published.",
	};
}

/** Parses "a, @b,,c" into usernames; refuses more than Meta allows or a malformed name, naming the field. */
export function parseCollaborators(value: unknown): string[] {
	const names = String(value ?? '')
		.split(/[\s,]+/)
		.map((name) => name.trim().replace(/^@/, ''))
		.filter(Boolean);
	const unique = [...new Set(names.map((name) => name.toLowerCase()))];
	if (unique.length > MAX_COLLABORATORS) {
		throw new InputError(
			`Collaborators: ${unique.length} usernames given; Instagram allows at most ${MAX_COLLABORATORS} per post. Nothing was published.`,
			`Remove ${unique.length - MAX_COLLABORATORS} of: ${unique.join(', ')}.`,
		);
	}
	const bad = unique.find((name) => !USERNAME.test(name));
	if (bad !== undefined) {
		throw new InputError(
			`Collaborators: "${bad}" is not an Instagram username. Nothing was published.`,
			'Usernames have up to 30 letters, digits, periods or underscores (no spaces or URLs).',
		);
	}
	return unique;
}

/** Container parameters for collaborators (Meta wants a JSON array of usernames). */
export function collaboratorParams(names: string[]): IDataObject {
	return names.length ? { collaborators: JSON.stringify(names) } : {};
}

/** Container parameters for a trial reel, or none for 'off'. */
export function trialParams(choice: unknown): IDataObject {
	if (choice === undefined || choice === null || choice === '' || choice === 'off') return {};
	if (!TRIAL_STRATEGIES.includes(choice as TrialStrategy)) {
		throw new InputError(
			`Trial Reel: "${String(choice)}" is not a graduation strategy`,
			`Use one of: off, ${TRIAL_STRATEGIES.join(', ')}.`,
		);
	}
	return { trial_params: JSON.stringify({ graduation_strategy: choice }) };
}

export function readCollaborators(context: IExecuteFunctions, itemIndex: number): string[] {
	return parseCollaborators(context.getNodeParameter('collaborators', itemIndex, ''));
}
