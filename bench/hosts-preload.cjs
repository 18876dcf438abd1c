// A hosts entry for one process (loaded with NODE_OPTIONS=--require): graph.facebook.com → 127.0.0.1,
// so n8n's built-in WhatsApp node (fixed base URL) reaches the loopback Graph API stand-in.
// Every other name resolves as usual. Used only by `npm run bench:campaign`.
'use strict';
const dns = require('node:dns');

const HOSTS = new Map([['graph.facebook.com', '127.0.0.1']]);
const originalLookup = dns.lookup;

dns.lookup = function lookup(hostname, options, callback, ...rest) {
	const address = HOSTS.get(String(hostname).toLowerCase());
	if (address === undefined) return originalLookup.call(this, hostname, options, callback, ...rest);
	if (typeof options === 'function') {
		callback = options;
		options = {};
	}
	const all = typeof options === 'object' && options !== null && options.all;
	process.nextTick(() => (all ? callback(null, [{ address, family: 4 }]) : callback(null, address, 4)));
	return {};
};

const originalPromiseLookup = dns.promises.lookup;
dns.promises.lookup = async function lookup(hostname, options) {
	const address = HOSTS.get(String(hostname).toLowerCase());
	if (address === undefined) return originalPromiseLookup.call(this, hostname, options);
	return options && typeof options === 'object' && options.all ? [{ address, family: 4 }] : { address, family: 4 };
};
