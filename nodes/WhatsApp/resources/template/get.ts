import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { forOperation } from '../../../shared/operation';
import { templateLocator } from '../../shared/fields';
import { LimitError } from '../../shared/limits';
import { getCredentials, graphCall } from '../../shared/transport';
import { TEMPLATE_FIELDS as FIELDS } from './list';

export const description: INodeProperties[] = forOperation('template', 'get', [templateLocator()]);

async function resolveTemplateId(this: IExecuteFunctions, i: number): Promise<string> {
	const locator = this.getNodeParameter('template', i) as { mode: string; value: string };
	const value = String(locator.value ?? '').trim();
	if (!value) throw new LimitError('Template is required');
	if (locator.mode !== 'name') return value;
	const { businessAccountId } = await getCredentials.call(this);
	const page = (await graphCall.call(
		this,
		{ method: 'GET', path: `/${businessAccountId}/message_templates`, qs: { name: value, fields: 'id,name,language' } },
		i,
	)) as { data?: IDataObject[] };
	const match = (page.data ?? []).find((t) => t.name === value);
	if (!match) throw new LimitError(`No template named "${value}" in this WhatsApp Business Account`);
	return String(match.id);
}

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const id = await resolveTemplateId.call(this, i);
	return await graphCall.call(this, { method: 'GET', path: `/${id}`, qs: { fields: FIELDS } }, i);
}
