import type { IDataObject } from 'n8n-workflow';
import type { ParameterReader } from '../../shared/parameters';

/** One message ready to send: the Cloud API body, plus a binary file to upload first if any. */
export interface PreparedSend {
	phoneNumberId: string;
	/** The person: phone number digits, or a BSUID (also the pair-rate key). */
	to: string;
	/** Where it is POSTed: `messages` (default) or `marketing_messages` (Marketing Messages API; falls back to `messages` when the account is not onboarded). */
	endpoint?: 'messages' | 'marketing_messages';
	body: IDataObject;
	/** Upload this input binary first and put its media id into the media object at `path` of the body. */
	binaryUpload?: BinaryUpload;
}

/** An input binary field to upload before the send, and where in the body its media id goes. */
export interface BinaryUpload {
	propertyName: string;
	/** Keys from the body to the media object, e.g. ['image'] or ['interactive', 'header', 'video']. */
	path: string[];
}

/** A Graph template as returned by the API (the parts we read). */
export interface TemplateDefinition {
	id?: string;
	name: string;
	language: string;
	status?: string;
	category?: string;
	parameter_format?: string;
	components?: Array<IDataObject & { type: string; format?: string; text?: string; buttons?: IDataObject[] }>;
}

export interface BuildContext {
	/** Template definitions fetched during this execution, keyed by id or name|language. */
	templates: Map<string, Promise<TemplateDefinition | undefined>>;
	/** The run's parameters (nodes/shared/parameters.ts): those without an expression are read once. */
	parameter: ParameterReader;
}
