// The per-recipient ledger of a campaign: at most one send per recipient. Pure module.
//
//   pending ──claim──▶ claimed ──result wamid──▶ sent ──status──▶ delivered ──status──▶ read
//      │                  │  └──result error──▶ failed ◀──status failed── sent / delivered
//      │                  └──claim older than the timeout──▶ unknown ──explicit resend──▶ claimed
//      └──contact opted out before the claim──▶ skipped
//   claimed ──result/status error 131049──▶ held_by_meta (Meta held the marketing message back for
//   this person for now: not retried in this campaign, not an opt-out)
//
// `unknown` means "we cannot tell whether it was sent": it is never resent unless asked.
export const RECIPIENT_STATES = [
	'pending',
	'claimed',
	'sent',
	'delivered',
	'read',
	'failed',
	'skipped',
	'unknown',
	'held_by_meta',
] as const;
export type RecipientState = (typeof RECIPIENT_STATES)[number];

type RecipientEvent =
	| { kind: 'claim'; resendUnknown: boolean }
	| { kind: 'skip' }
	| { kind: 'expire_claim' }
	| { kind: 'result_sent' }
	| { kind: 'result_failed' }
	| { kind: 'status'; status: 'sent' | 'delivered' | 'read' | 'failed' };

// Progress of a sent message as Meta reports it; statuses may arrive out of order.
const DELIVERY_RANK: Partial<Record<RecipientState, number>> = { sent: 1, delivered: 2, read: 3 };

/** The next state, or undefined when the event does not apply (the ledger then stays as it is). */
export function nextRecipientState(state: RecipientState, event: RecipientEvent): RecipientState | undefined {
	switch (event.kind) {
		case 'claim':
			if (state === 'pending') return 'claimed';
			if (state === 'unknown' && event.resendUnknown) return 'claimed';
			return undefined;
		case 'skip':
			return state === 'pending' || state === 'unknown' ? 'skipped' : undefined;
		case 'expire_claim':
			return state === 'claimed' ? 'unknown' : undefined;
		case 'result_sent':
			// A late result for an expired claim still tells the truth: the message went out.
			return state === 'claimed' || state === 'unknown' ? 'sent' : undefined;
		case 'result_failed':
			return state === 'claimed' || state === 'unknown' ? 'failed' : undefined;
		case 'status': {
			if (event.status === 'failed')
				return state === 'sent' || state === 'delivered' || state === 'claimed' || state === 'unknown'
					? 'failed'
					: undefined;
			const current = DELIVERY_RANK[state];
			const next = DELIVERY_RANK[event.status]!;
			// A status webhook can beat the worker's result to the service: it proves the send too.
			if (state === 'claimed' || state === 'unknown') return event.status;
			if (current === undefined || next <= current) return undefined;
			return event.status;
		}
	}
}

/** States from which a status webhook may move a recipient (SQL uses the same lists). */
export function statesAcceptingStatus(status: 'sent' | 'delivered' | 'read' | 'failed'): RecipientState[] {
	return RECIPIENT_STATES.filter((s) => nextRecipientState(s, { kind: 'status', status }) !== undefined);
}

/**
 * Campaign parameters: a list of template body parameters; `{{name}}` and `{{wa_id}}` are replaced
 * with the recipient's values, anything else is literal. A missing name becomes `fallback`.
 */
export function resolveParameters(
	parameters: readonly string[],
	contact: { wa_id: string | null; name: string | null },
	fallbackName = '',
): string[] {
	return parameters.map((p) =>
		p.replace(/\{\{\s*(name|wa_id)\s*\}\}/g, (_m, field: string) =>
			field === 'name' ? contact.name || fallbackName : (contact.wa_id ?? ''),
		),
	);
}

/** Meta's 131049: a marketing message held back for this person for now (not an opt-out). */
export const HELD_BY_META_CODE = 131049;
