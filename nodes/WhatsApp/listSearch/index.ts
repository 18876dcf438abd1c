import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import { getCredentials, graphCall } from '../shared/transport';

/** Sender picker: the account's phone numbers, searchable by number or name. */
export async function searchPhoneNumbers(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const { businessAccountId } = await getCredentials.call(this);
	const qs: IDataObject = { fields: 'id,display_phone_number,verified_name,quality_rating', limit: 100 };
	if (paginationToken) qs.after = paginationToken;
	const page = (await graphCall.call(this, { method: 'GET', path: `/${businessAccountId}/phone_numbers`, qs })) as {
		data?: Array<{ id: string; display_phone_number: string; verified_name?: string; quality_rating?: string }>;
		paging?: { next?: string; cursors?: { after?: string } };
	};
	const needle = (filter ?? '').toLowerCase().replace(/\s/g, '');
	const results = (page.data ?? [])
		.filter(
			(p) =>
				!needle ||
				`${p.display_phone_number}${p.verified_name ?? ''}`.toLowerCase().replace(/\s/g, '').includes(needle),
		)
		.map((p) => ({
			name: `${p.display_phone_number} — ${p.verified_name ?? ''}${p.quality_rating ? ` (${p.quality_rating})` : ''}`,
			value: p.id,
		}));
	return { results, paginationToken: page.paging?.next ? page.paging.cursors?.after : undefined };
}

/** Template picker: approved templates (all languages), searched by name on Meta's side. */
export async function searchTemplates(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const { businessAccountId } = await getCredentials.call(this);
	const qs: IDataObject = { fields: 'id,name,language,status,category', limit: 100, status: 'APPROVED' };
	if (filter) qs.name = filter;
	if (paginationToken) qs.after = paginationToken;
	const page = (await graphCall.call(this, { method: 'GET', path: `/${businessAccountId}/message_templates`, qs })) as {
		data?: Array<{ id: string; name: string; language: string; category?: string }>;
		paging?: { next?: string; cursors?: { after?: string } };
	};
	const results = (page.data ?? []).map((t) => ({
		name: `${t.name} (${t.language})${t.category ? ` — ${t.category}` : ''}`,
		value: t.id,
	}));
	return { results, paginationToken: page.paging?.next ? page.paging.cursors?.after : undefined };
}
