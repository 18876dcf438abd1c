import type { INodeProperties } from 'n8n-workflow';
import { operationField } from '../../../shared/fields';
import { descriptionsOf, type Operation } from '../../../shared/operation';
import * as accept from './accept';
import * as decline from './decline';
import * as getInvites from './getInvites';

export const operations: Record<string, Operation> = { getInvites, accept, decline };

export const description: INodeProperties[] = [
	operationField(
		'collaboration',
		[
			{
				name: 'Accept Invite',
				value: 'accept',
				action: 'Accept a collaboration invite',
				description: "Become a collaborator on another account's post",
			},
			{ name: 'Decline Invite', value: 'decline', action: 'Decline a collaboration invite' },
			{
				name: 'Get Many Invites',
				value: 'getInvites',
				action: 'Get pending collaboration invites',
				description: 'Posts other accounts invited this account to co-author',
			},
		],
		'getInvites',
	),
	...descriptionsOf(operations),
];
