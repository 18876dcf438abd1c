// What the trigger keeps in the workflow's static data, and the bounded webhook-id memory.

export interface TriggerStaticData {
	subscriptionId?: string;
	/** The subscription's whsec_ signing secret, as the service returned it on creation. */
	secret?: string;
	/** Recently seen webhook-ids, oldest first. */
	seen?: string[];
	[key: string]: unknown;
}

/**
 * How many webhook-ids the trigger remembers. Deliveries older than 300 s fail verification anyway,
 * so this only needs to cover the redeliveries of a few minutes.
 */
export const SEEN_LIMIT = 1000;

/** Records a webhook-id; false when it was already seen (a redelivery). Memory stays bounded. */
export function rememberWebhookId(state: TriggerStaticData, id: string, limit = SEEN_LIMIT): boolean {
	const seen = Array.isArray(state.seen) ? state.seen : [];
	if (seen.includes(id)) return false;
	seen.push(id);
	if (seen.length > limit) seen.splice(0, seen.length - limit);
	state.seen = seen;
	return true;
}

export const EVENT_TYPE_OPTIONS = [
	{ name: 'All Events', value: '*', description: 'Every event the service forwards' },
	{ name: 'Contact Opted In', value: 'contact.opted_in' },
	{ name: 'Contact Opted Out', value: 'contact.opted_out' },
	{ name: 'Instagram Comment', value: 'instagram.comment' },
	{ name: 'Instagram Mention', value: 'instagram.mention' },
	{ name: 'Instagram Message', value: 'instagram.message' },
	{ name: 'Library Bundle Ingested', value: 'library.bundle_ingested' },
	{ name: 'Unhandled Meta Event', value: 'meta.unhandled' },
	{ name: 'WhatsApp Error', value: 'whatsapp.error' },
	{ name: 'WhatsApp Message', value: 'whatsapp.message', description: 'A customer wrote to your WhatsApp number' },
	{ name: 'WhatsApp Status', value: 'whatsapp.status', description: 'Sent, delivered, read or failed' },
];
