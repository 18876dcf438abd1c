import { sendResultFromItem } from '../../../nodes/TiltedPrompts/resources/campaign/recordResults';
import { rememberWebhookId, type TriggerStaticData } from '../../../nodes/TiltedPromptsTrigger/shared/state';

describe('reading the WhatsApp node output for the campaign ledger', () => {
	it('takes the wamid of a Cloud API send response', () => {
		const item = {
			messaging_product: 'whatsapp',
			contacts: [{ input: '919876543210', wa_id: '919876543210' }],
			messages: [{ id: 'wamid.HBgM' }],
		};
		expect(sendResultFromItem(item, '919876543210')).toEqual({ wa_id: '919876543210', wamid: 'wamid.HBgM' });
	});

	it('takes a flat wamid', () => {
		expect(sendResultFromItem({ wamid: 'wamid.X' }, '1')).toEqual({ wa_id: '1', wamid: 'wamid.X' });
	});

	it('records a Meta error as the WhatsApp node emits it under Continue On Fail, with code, details and fbtrace_id', () => {
		const item = {
			error: {
				message: 'WhatsApp error 131047: more than 24 h since the customer’s last message — send a template instead',
				code: 131047,
				details: 'Message failed to send because more than 24 hours have passed',
				fbtrace_id: 'AbCdEf',
				retryable: false,
			},
		};
		expect(sendResultFromItem(item, '919876543210')).toEqual({
			wa_id: '919876543210',
			error: {
				code: 131047,
				message: item.error.message,
				details: 'Message failed to send because more than 24 hours have passed',
				fbtrace_id: 'AbCdEf',
			},
		});
	});

	it('records a raw Meta error body (error_data.details)', () => {
		const item = {
			error: {
				message: '(#131026) Message undeliverable',
				code: '131026',
				error_data: { details: 'Receiver is incapable' },
				fbtrace_id: 'T1',
			},
		};
		expect(sendResultFromItem(item, '1')).toMatchObject({
			error: { code: 131026, details: 'Receiver is incapable', fbtrace_id: 'T1' },
		});
	});

	it('leaves an error without a Meta code unrecorded: the send may have happened', () => {
		expect(sendResultFromItem({ error: { message: 'socket hang up' } }, '1')).toMatchObject({
			unrecordable: 'error_without_meta_code',
		});
	});

	it('marks what the WhatsApp node says it did not send (sent: false) as not sent, with its reason; no result at all stays unknown', () => {
		const refused = {
			sent: false,
			error: {
				message: 'Template restock (en) has a IMAGE header',
				description: 'Set Header Parameter to Image.',
				code: null,
			},
		};
		expect(sendResultFromItem(refused, '1')).toEqual({
			wa_id: '1',
			unrecordable: 'not_sent',
			message: 'Template restock (en) has a IMAGE header Set Header Parameter to Image.',
		});
		expect(sendResultFromItem({ something: 'else' }, '1')).toMatchObject({ unrecordable: 'no_result' });
		// A Meta refusal is a result to record, even when the node adds sent: false.
		expect(sendResultFromItem({ sent: false, error: { code: 131026, message: 'undeliverable' } }, '1')).toMatchObject({
			error: { code: 131026 },
		});
		// A dead access token (190, or 0) says nothing about the recipient: certainly not sent, given back.
		for (const code of [190, 0])
			expect(
				sendResultFromItem(
					{ sent: false, error: { code, message: `WhatsApp error ${code}: access token expired` } },
					'1',
				),
			).toEqual({ wa_id: '1', unrecordable: 'token_refused', message: `WhatsApp error ${code}: access token expired` });
		// Without the node's sent: false, a 190 is recorded like any refusal.
		expect(sendResultFromItem({ error: { code: 190 } }, '1')).toMatchObject({ error: { code: 190 } });
	});
});

describe('the trigger’s webhook-id memory', () => {
	it('starts the workflow once per webhook-id', () => {
		const state: TriggerStaticData = {};
		expect(rememberWebhookId(state, 'msg_1')).toBe(true);
		expect(rememberWebhookId(state, 'msg_2')).toBe(true);
		expect(rememberWebhookId(state, 'msg_1')).toBe(false);
	});

	it('stays bounded, forgetting the oldest ids first', () => {
		const state: TriggerStaticData = {};
		for (let i = 0; i < 25; i++) rememberWebhookId(state, `msg_${i}`, 10);
		expect(state.seen).toHaveLength(10);
		expect(rememberWebhookId(state, 'msg_24', 10)).toBe(false);
		expect(rememberWebhookId(state, 'msg_0', 10)).toBe(true);
	});
});
