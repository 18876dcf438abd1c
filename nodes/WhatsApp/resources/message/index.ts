import type { INodeProperties } from 'n8n-workflow';
import { operationField } from '../../../shared/fields';
import { descriptionsOf, type Operation } from '../../../shared/operation';
import * as markAsRead from './markAsRead';
import * as send from './send';
import * as sendTemplate from './sendTemplate';

export const operations: Record<string, Operation> = { send, sendTemplate, markAsRead };

/** Shared by Send and Send Template: the bulk path's throttling and retry options. */
export const bulkOptionsDescription: INodeProperties = {
	displayName: 'Sending Options',
	name: 'sendingOptions',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	description: 'How a run with many items is paced: all items of one execution go out through one throttle',
	displayOptions: { show: { resource: ['message'], operation: ['send', 'sendTemplate'] } },
	options: [
		{
			displayName: 'Max Concurrent Requests',
			name: 'concurrency',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 500 },
			default: 0,
			description: 'Upper bound of requests in flight; 0 picks one from the throughput',
		},
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 10 },
			default: 5,
			description:
				'Retries of a message after a temporary error (130429, 131056, 1, 2, 4, 80007, 131057, HTTP 5xx, network). Permanent errors are never retried.',
		},
		{
			displayName: 'Seconds Between Messages to One Recipient',
			name: 'pairRateSeconds',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 2 },
			default: 6,
			description:
				"Meta's pair rate limit: about one message per 6 s to the same customer. Later messages to that customer wait (they are not failed). 0 turns this off.",
		},
		{
			displayName: 'Shared Send Budget',
			name: 'sharedBudget',
			type: 'boolean',
			default: false,
			description:
				'Whether to take send permits and pair-rate slots from the TiltedPrompts service (TiltedPrompts API credential, key with the "send-budget" scope), shared by every execution and worker sending from the same number. Turn it on when two runs may send from one number at once. If the service cannot be reached, the run paces itself at half the throughput and says so in its output.',
		},
		{
			displayName: 'Throughput (Messages per Second)',
			name: 'throughput',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 1000 },
			default: 80,
			description:
				"Your number's throughput: 80 by default, up to 1,000 after Meta upgrades it. Sends are paced to stay under it.",
		},
	],
};

export const description: INodeProperties[] = [
	operationField(
		'message',
		[
			{
				name: 'Mark as Read',
				value: 'markAsRead',
				action: 'Mark a message as read',
				description: 'Send a read receipt, optionally with a typing indicator',
			},
			{
				name: 'Send',
				value: 'send',
				action: 'Send a message',
				description: 'Text, media, location, contacts, reaction or interactive message (in the 24 h window)',
			},
			{
				name: 'Send Template',
				value: 'sendTemplate',
				action: 'Send a template message',
				description: 'Send an approved template, e.g. a campaign to opted-in customers',
			},
		],
		'send',
	),
	...descriptionsOf(operations),
	bulkOptionsDescription,
];
