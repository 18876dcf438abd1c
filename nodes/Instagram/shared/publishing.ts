// Instagram's publishing flow: quota check → container(s) → wait for FINISHED → media_publish →
// read back the permalink. The steps are small functions over the transport; the waiting logic is
// the pure core in containerPolling.ts.
import { NodeOperationError, sleep, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { toNodeError } from '../../shared/errors';
import {
	ContainerNotPublishableError,
	waitForContainer,
	type ContainerStatus,
	type PollSchedule,
} from './containerPolling';
import { containerStatusFix } from './errors';
import { graphRequest } from './transport';

export interface PublishingQuota {
	quota_usage: number;
	quota_total: number | null;
	quota_duration: number | null;
	remaining: number | null;
}

export async function getPublishingQuota(
	context: IExecuteFunctions,
	accountId: string,
	itemIndex: number,
): Promise<PublishingQuota> {
	const response = (await graphRequest.call(context, {
		method: 'GET',
		path: `/${accountId}/content_publishing_limit`,
		qs: { fields: 'quota_usage,config' },
		itemIndex,
		purpose: 'publish',
	})) as { data?: Array<{ quota_usage?: number; config?: { quota_total?: number; quota_duration?: number } }> };
	const entry = response.data?.[0] ?? {};
	const usage = Number(entry.quota_usage ?? 0);
	const total = entry.config?.quota_total ?? null;
	return {
		quota_usage: usage,
		quota_total: total,
		quota_duration: entry.config?.quota_duration ?? null,
		remaining: total === null ? null : Math.max(0, total - usage),
	};
}

/** Refuses (before creating anything) when the 24 h publishing quota is spent. */
export async function assertQuotaLeft(
	context: IExecuteFunctions,
	accountId: string,
	itemIndex: number,
): Promise<PublishingQuota> {
	const quota = await getPublishingQuota(context, accountId, itemIndex);
	if (quota.quota_total !== null && quota.quota_usage >= quota.quota_total) {
		const hours = quota.quota_duration ? Math.round(quota.quota_duration / 3600) : 24;
		throw new NodeOperationError(
			context.getNode(),
			`Instagram publishing quota spent: ${quota.quota_usage} of ${quota.quota_total} posts in the last ${hours} h. Nothing was published.`,
			{
				itemIndex,
				description:
					'Instagram limits how many posts an account may publish through the API in a moving 24 h window (a carousel counts as one). Try again once older posts leave the window; Publish → Get Quota shows the current usage.',
			},
		);
	}
	return quota;
}

export async function createContainer(
	context: IExecuteFunctions,
	accountId: string,
	params: IDataObject,
	itemIndex: number,
): Promise<string> {
	const response = (await graphRequest.call(context, {
		method: 'POST',
		path: `/${accountId}/media`,
		qs: params,
		itemIndex,
		purpose: 'publish',
	})) as { id?: string };
	if (!response.id)
		throw new NodeOperationError(context.getNode(), 'Instagram created no media container (no id in the answer)', {
			itemIndex,
		});
	return response.id;
}

export async function awaitContainer(
	context: IExecuteFunctions,
	containerId: string,
	schedule: PollSchedule,
	itemIndex: number,
	label = 'media',
): Promise<{ checks: number; waitedMs: number }> {
	try {
		const result = await waitForContainer(
			containerId,
			async () =>
				(await graphRequest.call(context, {
					method: 'GET',
					path: `/${containerId}`,
					qs: { fields: 'id,status_code,status' },
					itemIndex,
					purpose: 'publish',
				})) as ContainerStatus,
			async (ms) => await sleep(ms),
			schedule,
		);
		return { checks: result.checks, waitedMs: result.waitedMs };
	} catch (error) {
		if (!(error instanceof ContainerNotPublishableError)) {
			throw toNodeError(context.getNode(), error, itemIndex);
		}
		const fix = containerStatusFix(error.statusText);
		const advice =
			error.kind === 'ERROR'
				? (fix ?? "check that the media URL is public and the file meets Instagram's media specs, then publish again")
				: error.kind === 'EXPIRED'
					? 'containers must be published within 24 hours of creation; publish again to create a fresh one'
					: 'the media is still processing at Meta; raise "Max Wait" or run again later (the container stays valid for 24 h)';
		throw new NodeOperationError(
			context.getNode(),
			`Instagram ${label} container ${error.kind === 'TIMEOUT' ? 'not ready' : error.kind}: ${error.message}`,
			{
				itemIndex,
				description: `status_code ${error.kind === 'TIMEOUT' ? 'IN_PROGRESS' : error.kind}; Meta's status: "${error.statusText || 'n/a'}". What to do: ${advice}. Nothing was published.`,
			},
		);
	}
}

export async function publishContainer(
	context: IExecuteFunctions,
	accountId: string,
	containerId: string,
	itemIndex: number,
): Promise<string> {
	const response = (await graphRequest.call(context, {
		method: 'POST',
		path: `/${accountId}/media_publish`,
		qs: { creation_id: containerId },
		itemIndex,
		purpose: 'publish',
	})) as { id?: string };
	if (!response.id)
		throw new NodeOperationError(context.getNode(), 'media_publish returned no media id', { itemIndex });
	return response.id;
}

export async function readPublished(
	context: IExecuteFunctions,
	mediaId: string,
	itemIndex: number,
): Promise<IDataObject> {
	return await graphRequest.call(context, {
		method: 'GET',
		path: `/${mediaId}`,
		qs: { fields: 'id,permalink,media_type,media_product_type,timestamp,shortcode' },
		itemIndex,
	});
}

export interface PublishPlan {
	/** Carousel items, created and awaited first (empty for single media). */
	children: Array<{ params: IDataObject; label: string }>;
	/** The container to publish; for a carousel `children` is filled in from the item containers. */
	main: { params: IDataObject; label: string };
}

/** Runs a plan end to end and returns what a user needs: media id, permalink, container ids, quota. */
export async function runPublish(
	context: IExecuteFunctions,
	accountId: string,
	plan: PublishPlan,
	options: { checkQuota: boolean; schedule: PollSchedule },
	itemIndex: number,
): Promise<IDataObject> {
	const quota = options.checkQuota ? await assertQuotaLeft(context, accountId, itemIndex) : undefined;
	const childIds: string[] = [];
	for (const child of plan.children) childIds.push(await createContainer(context, accountId, child.params, itemIndex));
	let checks = 0;
	for (const [index, childId] of childIds.entries()) {
		checks += (
			await awaitContainer(
				context,
				childId,
				options.schedule,
				itemIndex,
				`carousel item ${index + 1} (${plan.children[index].label})`,
			)
		).checks;
	}
	const mainParams = childIds.length ? { ...plan.main.params, children: childIds.join(',') } : plan.main.params;
	const containerId = await createContainer(context, accountId, mainParams, itemIndex);
	checks += (await awaitContainer(context, containerId, options.schedule, itemIndex, plan.main.label)).checks;
	const mediaId = await publishContainer(context, accountId, containerId, itemIndex);
	const published = await readPublished(context, mediaId, itemIndex);
	return {
		...published,
		id: mediaId,
		container_id: containerId,
		...(childIds.length ? { children_container_ids: childIds } : {}),
		status_checks: checks,
		...(quota ? { quota_before: { quota_usage: quota.quota_usage, quota_total: quota.quota_total } } : {}),
	};
}
