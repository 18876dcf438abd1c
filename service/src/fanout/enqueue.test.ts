import { claimWant } from './enqueue';

describe('claimWant: slots a batch claims from its worker', () => {
	it('its events times the deliveries per event of the previous batch, plus one', () => {
		expect(claimWant(10, 1)).toBe(11);
		expect(claimWant(10, 3)).toBe(31);
		expect(claimWant(3, 0.5)).toBe(3);
	});

	it('claims one slot when no subscription matched before, so a new subscription is served at once', () => {
		expect(claimWant(50, 0)).toBe(1);
	});
});
