import type { INodeProperties } from 'n8n-workflow';

/** Read by the transport (parameter name `rateLimits`) in both Instagram nodes. */
export const rateLimitOptions: INodeProperties = {
	displayName: 'Rate Limits',
	name: 'rateLimits',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	description: 'How the node reacts to the usage Meta reports in X-App-Usage and X-Business-Use-Case-Usage',
	options: [
		{
			displayName: 'Slow Down From (%)',
			name: 'slowDownAtPercent',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 100 },
			default: 75,
			description: 'Usage from which the node waits between calls, longer the closer Meta reports 100 %',
		},
		{
			displayName: 'Max Wait per Call (Seconds)',
			name: 'maxWaitSeconds',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 60,
			description:
				'Longest pause before one call; when Meta asks for a longer pause the node stops with the reason instead',
		},
	],
};
