// Meta webhook bodies for the load tests.

/** A WhatsApp delivery status for message `wamid` (one `whatsapp.status` event). */
export function statusBody(wamid: string): Buffer {
	return Buffer.from(
		JSON.stringify({
			object: 'whatsapp_business_account',
			entry: [
				{
					id: '1',
					changes: [
						{
							field: 'messages',
							value: {
								metadata: { phone_number_id: '2' },
								statuses: [{ id: wamid, status: 'delivered', timestamp: '1750000000', recipient_id: '919800000001' }],
							},
						},
					],
				},
			],
		}),
	);
}
