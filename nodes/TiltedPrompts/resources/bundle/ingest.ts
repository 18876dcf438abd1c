// Bundle → Ingest: signs the bundle with the Standard Webhooks scheme (the credential's whsec_
// secret) and posts it to /api/v1/ingest-bundle. A fresh timestamp and signature on every attempt;
// the same webhook-id on retries, so the service writes it once.
import { randomUUID } from 'crypto';
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { compact, toJsonValue, toTags } from '../../shared/fields';
import { signHeaders } from '../../../shared/standardWebhooks';
import { CREDENTIAL_TYPE, serviceRequest } from '../../shared/transport';
import { collectionField } from '../../../shared/fields';
import { forOperation } from '../../../shared/operation';
import { runOperation } from '../../../shared/router';

export const kind = 'batch';

export const description = forOperation('bundle', 'ingest', [
	{
		displayName: 'Source',
		name: 'source',
		type: 'options',
		noDataExpression: true,
		default: 'items',
		options: [
			{
				name: 'Assets From Input Items',
				value: 'items',
				description:
					'Every input item is one asset (slug, type, title, content, is_premium, tags); all go in one bundle',
			},
			{
				name: 'Bundle JSON per Item',
				value: 'json',
				description: 'Each input item carries a whole bundle ({ bundle_id, assets: [...] }); one request per item',
			},
		],
	},
	{
		displayName: 'Bundle ID',
		name: 'bundleId',
		type: 'string',
		default: '={{ "n8n-" + $execution.id }}',
		required: true,
		description: 'Identifier of this bundle in your system',
		displayOptions: { show: { source: ['items'] } },
	},
	{
		displayName: 'Bundle',
		name: 'bundle',
		type: 'json',
		default: '={{ $json }}',
		required: true,
		description:
			'The bundle: { "bundle_id": "…", "assets": [{ "slug", "type", "title", "content", "is_premium", "tags" }] }',
		displayOptions: { show: { source: ['json'] } },
	},
	collectionField('Options', 'options', 'Add Option', [
		{
			displayName: 'Message ID',
			name: 'messageId',
			type: 'string',
			default: '',
			description:
				'Sent as the webhook-ID header, the idempotency key: sending the same ID again returns the first result and writes nothing. Default: a new random ID.',
		},
	]),
]);

const ASSET_KEYS = ['slug', 'type', 'title', 'content', 'is_premium', 'tags'];

/** An input item → one bundle asset (only the bundle's fields; content parsed if it is JSON text). */
export function assetFromItem(json: IDataObject): IDataObject {
	const asset: IDataObject = {};
	for (const key of ASSET_KEYS) if (json[key] !== undefined) asset[key] = json[key];
	if (asset.content !== undefined) asset.content = toJsonValue(asset.content) as IDataObject;
	if (asset.tags !== undefined) asset.tags = toTags(asset.tags);
	return compact(asset);
}

async function ingest(
	this: IExecuteFunctions,
	bundle: IDataObject,
	messageId: string,
	itemIndex: number,
): Promise<IDataObject> {
	const credentials = await this.getCredentials(CREDENTIAL_TYPE);
	const secret = String(credentials.signingSecret ?? '').trim();
	if (!secret) {
		throw new NodeOperationError(
			this.getNode(),
			'No bundle signing secret in the TiltedPrompts credential — add the whsec_… secret the service accepts (INGEST_SIGNING_SECRETS)',
			{ itemIndex },
		);
	}
	if (!secret.startsWith('whsec_')) {
		throw new NodeOperationError(
			this.getNode(),
			'The bundle signing secret must start with "whsec_" — copy it exactly as the service administrator gave it',
			{
				itemIndex,
			},
		);
	}
	const body = JSON.stringify(bundle);
	const id = messageId || `msg_${randomUUID().replace(/-/g, '')}`;
	return await serviceRequest.call(this, {
		method: 'POST',
		path: '/ingest-bundle',
		body,
		authenticate: false,
		headersPerAttempt: () => signHeaders([secret], id, Math.floor(Date.now() / 1000), body),
		itemIndex,
	});
}

/** Bundle JSON per Item: one signed request per input item. */
async function ingestItem(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const bundle = toJsonValue(this.getNodeParameter('bundle', itemIndex)) as IDataObject;
	if (!bundle || typeof bundle !== 'object' || Array.isArray(bundle)) {
		throw new NodeOperationError(
			this.getNode(),
			'The Bundle field must be a JSON object: { "bundle_id": "…", "assets": [ … ] }',
			{ itemIndex },
		);
	}
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	return await ingest.call(this, bundle, String(options.messageId ?? ''), itemIndex);
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const source = this.getNodeParameter('source', 0) as string;
	if (source !== 'items') return await runOperation.call(this, { description: [], execute: ingestItem });
	const bundleId = this.getNodeParameter('bundleId', 0) as string;
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const bundle = { bundle_id: bundleId, assets: items.map((item) => assetFromItem(item.json)) };
	const result = await ingest.call(this, bundle, String(options.messageId ?? ''), 0);
	return [{ json: result, pairedItem: items.map((_, item) => ({ item })) }];
}
