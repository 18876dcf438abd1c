import type { INodeProperties } from 'n8n-workflow';
import { operationField } from '../../../shared/fields';
import { descriptionsOf, type Operation } from '../../../shared/operation';
import * as download from './download';
import * as get from './get';
import * as remove from './delete';
import * as upload from './upload';

export const operations: Record<string, Operation> = { upload, get, download, delete: remove };

export const description: INodeProperties[] = [
	operationField(
		'media',
		[
			{
				name: 'Delete',
				value: 'delete',
				action: 'Delete a media file',
				description: 'Delete uploaded media from WhatsApp',
			},
			{
				name: 'Download',
				value: 'download',
				action: 'Download a media file',
				description: 'Download media (e.g. from an incoming message) into an n8n binary field',
			},
			{
				name: 'Get',
				value: 'get',
				action: 'Get media URL and metadata',
				description: 'Get the temporary download URL, MIME type, size and SHA-256',
			},
			{
				name: 'Upload',
				value: 'upload',
				action: 'Upload a media file',
				description: 'Upload an n8n binary file; returns a media ID to send',
			},
		],
		'upload',
	),
	...descriptionsOf(operations),
];
