import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import { getInstagramCredentials, graphRequest } from '../shared/transport';

/** The account's recent posts for the Media picker; filter matches caption text or ID. */
export async function searchMedia(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const credentials = await getInstagramCredentials.call(this);
	const page = (await graphRequest.call(this, {
		method: 'GET',
		path: `/${credentials.accountId}/media`,
		qs: {
			fields: 'id,caption,media_type,timestamp,permalink',
			limit: 50,
			...(paginationToken ? { after: paginationToken } : {}),
		},
	})) as {
		data?: Array<{ id: string; caption?: string; media_type?: string; timestamp?: string; permalink?: string }>;
		paging?: { cursors?: { after?: string }; next?: string };
	};
	const needle = filter?.trim().toLowerCase();
	const results = (page.data ?? [])
		.filter((media) => !needle || media.id.includes(needle) || (media.caption ?? '').toLowerCase().includes(needle))
		.map((media) => {
			const caption = (media.caption ?? '').replace(/\s+/g, ' ').trim();
			const day = media.timestamp ? media.timestamp.slice(0, 10) : '';
			return {
				name: `${day} ${media.media_type ?? ''} ${caption ? `– ${caption.slice(0, 60)}` : media.id}`.trim(),
				value: media.id,
				url: media.permalink,
			};
		});
	return { results, paginationToken: page.paging?.next ? page.paging.cursors?.after : undefined };
}
