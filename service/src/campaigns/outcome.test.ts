import { controlTransition, nothingSentReason, settledStatus, summaryLine, type Funnel } from './outcome';

const funnel = (overrides: Partial<Funnel> = {}): Funnel => ({
	audience: 10,
	recipients: 8,
	skipped_by_consent: { at_creation: 2, since_creation: 0 },
	sent: 0,
	delivered: 0,
	read: 0,
	replied: 0,
	failed: 0,
	failed_by_reason: [],
	held_by_meta: 0,
	waiting: 0,
	in_flight: 0,
	unknown: 0,
	cancelled: 0,
	...overrides,
});

describe('campaign status machine', () => {
	it('pauses, resumes (back to scheduled when its time is still ahead) and cancels; finished campaigns stay finished', () => {
		expect(controlTransition('running', 'pause', false)).toEqual({ ok: true, status: 'paused' });
		expect(controlTransition('paused', 'resume', true)).toEqual({ ok: true, status: 'scheduled' });
		expect(controlTransition('failed', 'resume', false)).toEqual({ ok: true, status: 'running' });
		expect(controlTransition('failed', 'pause', false)).toMatchObject({ ok: false });
		expect(controlTransition('completed', 'cancel', false)).toEqual({
			ok: false,
			message: 'The campaign is completed; it cannot be cancelled.',
		});
	});

	it('settles only when nobody is left to send to: completed with a send, failed without', () => {
		expect(settledStatus(funnel({ waiting: 1 }))).toBeUndefined();
		expect(settledStatus(funnel({ in_flight: 1 }))).toBeUndefined();
		expect(
			settledStatus(
				funnel({
					sent: 1,
					failed: 7,
					failed_by_reason: [{ code: 131026, reason: 'not on WhatsApp (Meta error 131026)', count: 7 }],
				}),
			),
		).toEqual({ status: 'completed', reason: null });
		expect(
			settledStatus(funnel({ failed: 8, failed_by_reason: [{ code: 131049, reason: 'held back', count: 8 }] })),
		).toEqual({ status: 'failed', reason: 'WhatsApp refused every message: held back' });
		expect(settledStatus(funnel({ recipients: 0 }))).toEqual({
			status: 'failed',
			reason: 'none of the 10 matching contacts has opted in',
		});
	});

	it('says what happened in one line', () => {
		const mixed = funnel({
			recipients: 200,
			sent: 182,
			failed: 6,
			skipped_by_consent: { at_creation: 0, since_creation: 12 },
			failed_by_reason: [
				{ code: 131026, reason: 'not on WhatsApp (Meta error 131026)', count: 3 },
				{ code: 131049, reason: 'held back by Meta for now (not an opt-out) (Meta error 131049)', count: 3 },
			],
		});
		expect(summaryLine('completed', null, mixed, null)).toBe(
			'Sent to 182 of 200 customers · 12 skipped (opted out since the list was made) · 6 failed (3 not on WhatsApp (Meta error 131026), 3 held back by Meta for now (not an opt-out) (Meta error 131049))',
		);
		expect(summaryLine('failed', 'the template is paused (Meta error 132015)', funnel({ waiting: 8 }), null)).toBe(
			'Nothing was sent: the template is paused (Meta error 132015)',
		);
		expect(summaryLine('scheduled', null, funnel(), new Date('2026-12-01T04:00:00Z'))).toBe(
			'Scheduled for 2026-12-01 04:00 UTC · 8 customers on the list',
		);
	});
});

describe('messages Meta held back (131049)', () => {
	it('are named on their own in the summary, never as sent nor as opt-outs', () => {
		expect(summaryLine('completed', null, funnel({ sent: 6, held_by_meta: 2 }), null)).toBe(
			'Sent to 6 of 8 customers · 2 held back by Meta for now (131049)',
		);
		expect(settledStatus(funnel({ held_by_meta: 8 }))).toEqual({
			status: 'failed',
			reason:
				'8 held back by Meta for now (131049) (Meta limits how many marketing messages a customer gets; not an opt-out)',
		});
		expect(
			nothingSentReason(
				funnel({
					failed: 7,
					held_by_meta: 1,
					failed_by_reason: [{ code: 131026, reason: 'not on WhatsApp (Meta error 131026)', count: 7 }],
				}),
			),
		).toBe('WhatsApp refused 7 messages: not on WhatsApp (Meta error 131026); 1 held back by Meta for now (131049)');
	});
});
