export default async function globalTeardown(): Promise<void> {
	await globalThis.__TP_PG__?.stop();
}
