import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import { type ServicePage } from '../../shared/pagination';
import { serviceRequest } from '../shared/transport';

/** Picker for library assets: the service's full-text search, one page at a time. */
export async function searchAssets(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const page = (await serviceRequest.call(this, {
		method: 'GET',
		path: '/library/assets',
		qs: { limit: 50, ...(filter ? { q: filter } : {}), ...(paginationToken ? { cursor: paginationToken } : {}) },
	})) as ServicePage<IDataObject>;
	return {
		results: (page.data ?? []).map((asset) => ({
			name: `${String(asset.title)}${asset.is_premium ? ' (premium)' : ''} · ${String(asset.type)}`,
			value: String(asset.id),
		})),
		paginationToken: page.next_cursor ?? undefined,
	};
}
