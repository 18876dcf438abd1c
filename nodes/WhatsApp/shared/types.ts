import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

/** One message ready to send: the Cloud API body, plus a binary file to upload first if any. */
export interface PreparedSend {
	phoneNumberId: string;
	/** Recipient, digits only (also the pair-rate key). */
	to: string;
	body: IDataObject;
	/** Upload this input binary first and put the media id into `target.id`. */
	binaryUpload?: { propertyName: string; target: IDataObject };
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
}

/** An operation that runs item by item (everything except the bulk message sends). */
export interface ItemOperation {
	description: INodeProperties[];
	execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject | IDataObject[] | INodeExecutionData[]>;
}
