import type { INodeProperties } from 'n8n-workflow';
import { operationField } from '../../../shared/fields';
import { descriptionsOf, type Operation } from '../../../shared/operation';
import * as optIn from './optIn';
import * as optOut from './optOut';
import * as erase from './erase';
import * as get from './get';
import * as getMany from './getMany';
import * as importContacts from './import';
import * as upsert from './upsert';

export const operations: Record<string, Operation> = {
	upsert,
	import: importContacts,
	get,
	getMany,
	optIn,
	optOut,
	erase,
};

export const description: INodeProperties[] = [
	operationField(
		'contact',
		[
			{
				name: 'Create or Update',
				value: 'upsert',
				action: 'Create or update a contact',
				description: 'Create a new contact, or update the current one if it already exists (upsert)',
			},
			{
				name: 'Erase',
				value: 'erase',
				action: 'Erase a contact',
				description: 'Delete a contact’s personal data; only an anonymous consent record stays',
			},
			{ name: 'Get', value: 'get', action: 'Get a contact', description: 'Get one contact by WhatsApp number' },
			{
				name: 'Get Many',
				value: 'getMany',
				action: 'Get many contacts',
				description: 'List contacts by tag and consent',
			},
			{
				name: 'Import',
				value: 'import',
				action: 'Import contacts',
				description: 'Create or update one contact per input item, in bulk (idempotent)',
			},
			{
				name: 'Opt In',
				value: 'optIn',
				action: 'Opt a contact in',
				description: 'Record that the contact agreed to marketing messages',
			},
			{
				name: 'Opt Out',
				value: 'optOut',
				action: 'Opt a contact out',
				description: 'Record that the contact no longer wants marketing messages',
			},
		],
		'upsert',
	),
	...descriptionsOf(operations),
];
