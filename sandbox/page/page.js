// The sandbox page: polls /sandbox/api/state and renders chats and Instagram posts. No framework.
'use strict';
const $ = (selector, root = document) => root.querySelector(selector);
const el = (tag, attrs = {}, ...children) => {
	const node = document.createElement(tag);
	for (const [key, value] of Object.entries(attrs)) {
		if (key === 'class') node.className = value;
		else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
		else if (value !== undefined && value !== null) node.setAttribute(key, value);
	}
	for (const child of children.flat(Infinity))
		if (child !== undefined && child !== null && child !== false) node.append(child);
	return node;
};
const time = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
const TICKS = { accepted: '…', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '⚠' };
let version = 0;
const drafts = {};

async function post(path, body) {
	const res = await fetch(path, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	if (!res.ok) alert((await res.json().catch(() => ({}))).error || `failed: ${res.status}`);
	await refresh(true);
}

function renderMessage(customer, entry) {
	const m = entry.message;
	const box = el('div', { class: `msg ${entry.direction}`, 'data-kind': m.kind, 'data-status': entry.status || '' });
	if (m.template) box.append(el('div', { class: 'tpl' }, `template ${m.template.name} · ${m.template.category}`));
	if (m.header && m.header.type === 'image')
		box.append(el('img', { class: 'header', src: m.header.url || '', alt: 'header image' }));
	else if (m.header && m.header.type === 'text') box.append(el('div', { class: 'htext' }, m.header.text));
	else if (m.header) box.append(el('div', { class: 'htext' }, `📎 ${m.header.type}`));
	box.append(el('div', { class: 'text' }, m.body));
	if (m.footer) box.append(el('div', { class: 'footer' }, m.footer));
	if (m.buttons.length) {
		box.append(
			el(
				'div',
				{ class: 'btns' },
				m.buttons.map((b) =>
					b.type === 'url'
						? el('a', { href: b.url, target: '_blank', rel: 'noopener' }, `↗ ${b.text}`)
						: el(
								'button',
								{
									type: 'button',
									onclick: () =>
										post(`/sandbox/api/customers/${customer.id}/messages`, {
											button: { text: b.text, payload: b.payload || b.text },
											context: entry.id,
										}),
								},
								`↩ ${b.text}`,
							),
				),
			),
		);
	}
	const ticks =
		entry.direction === 'out' ? el('span', { class: `ticks ${entry.status}` }, TICKS[entry.status] || '') : '';
	box.append(el('div', { class: 'meta' }, time(entry.at), ' ', ticks));
	if (entry.error) box.append(el('div', { class: 'err' }, entry.error));
	return box;
}

// STOP or START when the customer's latest such reply was one (the service's default keywords).
function lastConsentKeyword(chat) {
	for (let i = chat.length - 1; i >= 0; i--) {
		const entry = chat[i];
		const word =
			entry.direction === 'in'
				? String(entry.message.body || '')
						.trim()
						.toUpperCase()
				: '';
		if (word === 'STOP' || word === 'START') return word;
	}
	return undefined;
}

function renderChat(customer) {
	const who = customer.waId ? `+${customer.waId}` : `@${customer.username} · ${customer.bsuid}`;
	// Consent on the demo contact list the stack was seeded with; the service keeps the current state (STOP/START).
	const seeded = { title: 'Consent on the demo contact list at start; the service keeps the current state' };
	const keyword = lastConsentKeyword(customer.chat);
	const badge = keyword
		? el(
				'span',
				{ class: keyword === 'STOP' ? 'badge out' : 'badge', title: 'The last consent keyword this customer sent' },
				`wrote ${keyword}`,
			)
		: customer.consent === 'opted_in'
			? el('span', { class: 'badge', ...seeded }, 'list: opted in')
			: el('span', { class: 'badge out', ...seeded }, 'list: opted out');
	const notes = [
		customer.undeliverable ? 'not on WhatsApp' : '',
		customer.stoppedMarketing ? 'stopped marketing in WhatsApp' : '',
	]
		.filter(Boolean)
		.join(' · ');
	const messages = el(
		'div',
		{ class: 'messages' },
		customer.chat.length
			? customer.chat.map((e) => renderMessage(customer, e))
			: el('div', { class: 'empty' }, 'No messages yet'),
	);
	const input = el('input', {
		name: 'text',
		placeholder: 'Reply as the customer',
		value: drafts[customer.id] || '',
		oninput: (e) => {
			drafts[customer.id] = e.target.value;
		},
	});
	const form = el(
		'form',
		{
			class: 'reply',
			onsubmit: (e) => {
				e.preventDefault();
				const text = input.value.trim();
				if (!text) return;
				drafts[customer.id] = '';
				post(`/sandbox/api/customers/${customer.id}/messages`, { text });
			},
		},
		input,
		el('button', { type: 'submit' }, 'Send'),
		el(
			'button',
			{ type: 'button', onclick: () => post(`/sandbox/api/customers/${customer.id}/messages`, { text: 'STOP' }) },
			'STOP',
		),
		el(
			'button',
			{ type: 'button', onclick: () => post(`/sandbox/api/customers/${customer.id}/messages`, { text: 'START' }) },
			'START',
		),
	);
	const chat = el(
		'div',
		{ class: 'chat', id: `chat-${customer.id}`, 'data-customer': customer.id },
		el(
			'div',
			{ class: 'chat-head' },
			el('b', {}, customer.name),
			badge,
			el(
				'button',
				{
					type: 'button',
					class: 'pref',
					title: "The customer's WhatsApp setting (sends Meta's user_preferences webhook)",
					onclick: () =>
						post(`/sandbox/api/customers/${customer.id}/preferences`, {
							value: customer.stoppedMarketing ? 'resume' : 'stop',
						}),
				},
				customer.stoppedMarketing ? 'Resume marketing' : 'Stop marketing in WhatsApp',
			),
			el('small', {}, who),
			notes ? el('small', {}, notes) : '',
		),
		messages,
		form,
	);
	return { chat, messages };
}

function renderPost(p) {
	const top = p.comments.filter((c) => !c.parent_id);
	const user = el('input', { name: 'username', placeholder: 'follower', value: 'a.follower', required: true });
	const text = el('input', {
		name: 'text',
		placeholder: 'Comment as a follower',
		required: true,
		value: drafts[`post-${p.id}`] || '',
		oninput: (e) => {
			drafts[`post-${p.id}`] = e.target.value;
		},
	});
	return el(
		'div',
		{ class: 'post', id: `post-${p.id}` },
		el('img', { src: p.media_url, alt: p.caption }),
		el(
			'div',
			{ class: 'body' },
			el('div', {}, p.caption),
			el('small', {}, new Date(p.timestamp.replace(/\+0000$/, 'Z')).toLocaleString()),
			top.map((c) => [
				el('div', { class: 'comment', 'data-comment': c.id }, el('b', {}, c.username), c.text),
				c.private_reply
					? el('div', { class: 'comment reply private' }, el('b', {}, 'Private reply: '), c.private_reply)
					: '',
				p.comments
					.filter((r) => r.parent_id === c.id)
					.map((r) => el('div', { class: 'comment reply' }, el('b', {}, r.username), r.text)),
			]),
			el(
				'form',
				{
					onsubmit: (e) => {
						e.preventDefault();
						drafts[`post-${p.id}`] = '';
						post(`/sandbox/api/instagram/posts/${p.id}/comments`, { username: user.value, text: text.value });
					},
				},
				user,
				text,
				el('button', { type: 'submit' }, 'Comment'),
			),
		),
	);
}

function render(state) {
	$('#business').textContent = `${state.business.name} · ${state.business.phone}`;
	const hook = $('#webhooks');
	hook.textContent =
		state.webhooks.state === 'verified'
			? `webhooks → ${state.webhooks.target}`
			: `webhooks: ${state.webhooks.problem || state.webhooks.state}`;
	hook.className = `pill ${state.webhooks.state === 'verified' ? '' : 'bad'}`;
	const focused = document.activeElement && document.activeElement.closest('.chat, .post');
	const focusId = focused && focused.id;
	const chats = $('#chats');
	const scrolls = {};
	for (const box of chats.querySelectorAll('.chat')) scrolls[box.id] = $('.messages', box).scrollTop;
	chats.replaceChildren(
		...state.customers.map((c) => {
			const { chat, messages } = renderChat(c);
			const toNewest = () => {
				messages.scrollTop = messages.scrollHeight;
			};
			queueMicrotask(toNewest);
			// A header image that loads later makes the chat taller: keep the newest message in view.
			for (const img of messages.querySelectorAll('img')) img.addEventListener('load', toNewest, { once: true });
			return chat;
		}),
	);
	$('#ig-user').textContent = `@${state.instagram.username}`;
	$('#posts').replaceChildren(...state.instagram.posts.map(renderPost));
	if (focusId) {
		const again = $(`#${focusId} input[name=text]`);
		if (again) {
			again.focus();
			again.setSelectionRange(again.value.length, again.value.length);
		}
	}
}

async function refresh(force) {
	try {
		const res = await fetch('/sandbox/api/state');
		const state = await res.json();
		if (force || state.version !== version) {
			version = state.version;
			render(state);
		}
	} catch {
		/* the sandbox restarts: keep polling */
	}
}

$('#publish').addEventListener('submit', (e) => {
	e.preventDefault();
	const caption = e.target.caption.value.trim();
	if (!caption) return;
	e.target.caption.value = '';
	post('/sandbox/api/instagram/posts', { caption });
});
refresh(true);
setInterval(refresh, 1000);
