// The webhooks the service's benchmarks send, as Meta sends them for one WhatsApp business number.
// bench:ingest and bench:insert-cost: a status webhook (a message delivered) with a new wamid each
// time, so nothing is deduplicated away. Each function returns the body's exact text.

/** A WhatsApp `messages` webhook whose change value holds `value` (contacts, messages, statuses). */
export function whatsappWebhookBody(value) {
	return JSON.stringify({
		object: 'whatsapp_business_account',
		entry: [
			{
				id: '102290129340398',
				changes: [
					{
						field: 'messages',
						value: {
							messaging_product: 'whatsapp',
							metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
							...value,
						},
					},
				],
			},
		],
	});
}

export function statusWebhookBody(wamid) {
	return whatsappWebhookBody({
		statuses: [
			{
				id: wamid,
				status: 'delivered',
				timestamp: String(Math.floor(Date.now() / 1000)),
				recipient_id: '919800000001',
				conversation: { id: 'a75d17ad06104c51166f948319b03c6a', origin: { type: 'marketing' } },
				pricing: { billable: true, pricing_model: 'CBP', category: 'marketing' },
			},
		],
	});
}
