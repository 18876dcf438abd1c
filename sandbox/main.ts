/**
 * `npm run sandbox`: the Meta sandbox alone, for pointing your own n8n and service at it.
 *
 * Environment (all optional):
 *   SANDBOX_PORT (default 3100), SANDBOX_HOST (default 127.0.0.1)
 *   SANDBOX_ACCESS_TOKEN   the only access token the Graph API accepts (default: any token)
 *   SANDBOX_WEBHOOK_URL    where webhooks go, e.g. http://localhost:3000/webhooks/meta (default: nowhere)
 *   SANDBOX_APP_SECRET     signs webhooks (the service's META_APP_SECRETS must contain it)
 *   SANDBOX_VERIFY_TOKEN   sent in the GET handshake (the service's META_VERIFY_TOKEN)
 *   META_OPENAPI_SPEC      Meta's business-messaging-api_v23.0.yaml, to check WhatsApp requests
 */
import { startSandbox } from './app';

async function main(): Promise<void> {
	const started = Date.now();
	const env = process.env;
	const webhookUrl = env.SANDBOX_WEBHOOK_URL;
	if (webhookUrl && (!env.SANDBOX_APP_SECRET || !env.SANDBOX_VERIFY_TOKEN)) {
		console.error(
			'SANDBOX_WEBHOOK_URL needs SANDBOX_APP_SECRET (signs the webhooks) and SANDBOX_VERIFY_TOKEN (the GET handshake) too.',
		);
		process.exit(2);
	}
	const port = Number(env.SANDBOX_PORT ?? 3100);
	if (!Number.isInteger(port) || port < 0 || port > 65535) {
		console.error(`SANDBOX_PORT must be a port number (0-65535), got "${env.SANDBOX_PORT}".`);
		process.exit(2);
	}
	const sandbox = await startSandbox({
		port,
		host: env.SANDBOX_HOST ?? '127.0.0.1',
		accessToken: env.SANDBOX_ACCESS_TOKEN || undefined,
		webhook: webhookUrl
			? { url: webhookUrl, appSecret: env.SANDBOX_APP_SECRET!, verifyToken: env.SANDBOX_VERIFY_TOKEN! }
			: undefined,
	});
	const verified = webhookUrl ? await sandbox.deliverer.verify() : false;
	console.log(`Meta sandbox on ${sandbox.url} (Graph API base URL and page) — started in ${Date.now() - started} ms`);
	console.log(
		webhookUrl
			? verified
				? `  webhooks → ${webhookUrl} (handshake passed)`
				: `  webhooks → ${webhookUrl}: ${sandbox.deliverer.problem} (retried before each webhook)`
			: '  webhooks: none (set SANDBOX_WEBHOOK_URL, SANDBOX_APP_SECRET and SANDBOX_VERIFY_TOKEN to send them)',
	);
	const stop = () => void sandbox.close().then(() => process.exit(0));
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
	console.error(error instanceof Error ? error.message : error);
	process.exit(1);
});
