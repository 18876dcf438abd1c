// Location messages. Pure.
import type { IDataObject } from 'n8n-workflow';
import type { MessageContent } from './envelope';

export interface LocationInput {
	latitude: number;
	longitude: number;
	name?: string;
	address?: string;
}

export function locationContent(input: LocationInput): MessageContent {
	const location: IDataObject = { latitude: String(input.latitude), longitude: String(input.longitude) };
	if (input.name) location.name = input.name;
	if (input.address) location.address = input.address;
	return { type: 'location', location };
}
