// The workflow templates in workflows/: importable as they are, nothing secret inside, credentials
// referenced by type only, and every parameter of our nodes one that the node really has.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INodeProperties, INodeType } from 'n8n-workflow';
import { Instagram } from '../../../nodes/Instagram/Instagram.node';
import { InstagramTrigger } from '../../../nodes/InstagramTrigger/InstagramTrigger.node';
import { TiltedPrompts } from '../../../nodes/TiltedPrompts/TiltedPrompts.node';
import { TiltedPromptsTrigger } from '../../../nodes/TiltedPromptsTrigger/TiltedPromptsTrigger.node';
import { WhatsApp } from '../../../nodes/WhatsApp/WhatsApp.node';

const DIR = join(__dirname, '..', '..', '..', 'workflows');
const files = readdirSync(DIR).filter((file) => file.endsWith('.json'));

interface TemplateNode {
	name: string;
	type: string;
	typeVersion: number;
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: unknown; name: string }>;
}
interface Template {
	name: string;
	nodes: TemplateNode[];
	connections: Record<string, Record<string, Array<Array<{ node: string }>>>>;
}

const OURS: Record<string, INodeType> = {
	'n8n-nodes-tiltedprompts.tiltedPrompts': new TiltedPrompts(),
	// n8n generates the AI-tool variant of a node that is usableAsTool.
	'n8n-nodes-tiltedprompts.tiltedPromptsTool': new TiltedPrompts(),
	'n8n-nodes-tiltedprompts.tiltedPromptsTrigger': new TiltedPromptsTrigger(),
	'n8n-nodes-tiltedprompts.whatsApp': new WhatsApp(),
	'n8n-nodes-tiltedprompts.instagram': new Instagram(),
	'n8n-nodes-tiltedprompts.instagramTrigger': new InstagramTrigger(),
};
// Parameters n8n itself adds: polling schedule, and the tool description of the *Tool variant.
const N8N_ADDED = new Set(['pollTimes', 'descriptionType', 'toolDescription']);

function load(file: string): Template {
	return JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Template;
}

function shown(property: INodeProperties, parameters: Record<string, unknown>): boolean {
	const show = property.displayOptions?.show ?? {};
	return Object.entries(show).every(
		([key, allowed]) => key.startsWith('@') || !(key in parameters) || (allowed as unknown[]).includes(parameters[key]),
	);
}

describe('workflow templates', () => {
	it('are the six templates of the issue', () => {
		expect(files.sort()).toEqual([
			'bundle-ingestion.json',
			'comment-keyword-to-lead.json',
			'consent-keeper.json',
			'instagram-post-to-whatsapp-broadcast.json',
			'library-for-ai-agents.json',
			'staff-campaign-form.json',
		]);
	});

	describe.each(files)('%s', (file) => {
		const raw = readFileSync(join(DIR, file), 'utf8');
		const template = load(file);

		it('is one workflow with a sticky note explaining the setup', () => {
			expect(typeof template.name).toBe('string');
			expect(Array.isArray(template.nodes)).toBe(true);
			const notes = template.nodes.filter((node) => node.type === 'n8n-nodes-base.stickyNote');
			expect(notes.length).toBeGreaterThan(0);
			expect(String(notes[0].parameters.content)).toMatch(/Set up/);
		});

		if (file === 'staff-campaign-form.json') {
			it('its setup note names every node that needs a credential or a sender number', () => {
				const note = String(
					template.nodes.find((node) => node.type === 'n8n-nodes-base.stickyNote')!.parameters.content,
				);
				for (const node of template.nodes.filter((n) => n.credentials)) expect(note).toContain(`**${node.name}**`);
			});
		}

		it('holds no secrets and no credential ids, only credential types', () => {
			expect(raw).not.toMatch(/whsec_[A-Za-z0-9+/]{8,}|tp_[A-Za-z0-9]{16,}|EAA[A-Za-z0-9]{20,}|Bearer [A-Za-z0-9]/);
			for (const node of template.nodes) {
				for (const [type, reference] of Object.entries(node.credentials ?? {})) {
					expect([node.name, type, reference.id]).toEqual([node.name, type, null]);
				}
			}
		});

		it('connects only nodes that exist', () => {
			const names = new Set(template.nodes.map((node) => node.name));
			expect(names.size).toBe(template.nodes.length);
			for (const [from, outputs] of Object.entries(template.connections)) {
				expect(names.has(from)).toBe(true);
				for (const output of Object.values(outputs))
					for (const branch of output) for (const to of branch) expect(names.has(to.node)).toBe(true);
			}
		});

		it('uses only parameters our nodes have, with the credential each node needs', () => {
			for (const node of template.nodes.filter((n) => n.type in OURS)) {
				const type = OURS[node.type];
				const properties = type.description.properties;
				for (const name of Object.keys(node.parameters)) {
					if (N8N_ADDED.has(name)) continue;
					const candidates = properties.filter((p) => p.name === name);
					expect([node.name, name, candidates.length > 0]).toEqual([node.name, name, true]);
					expect([node.name, name, candidates.some((p) => shown(p, node.parameters))]).toEqual([node.name, name, true]);
				}
				// Required credentials, and an optional one where its displayOptions show it (e.g. WhatsApp's
				// TiltedPrompts API only with Sending Options → Shared Send Budget on).
				const valueAt = (path: string) =>
					path
						.split('.')
						.reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], node.parameters);
				const needed = (type.description.credentials ?? [])
					.filter(
						(c) =>
							c.required ||
							Object.entries(c.displayOptions?.show ?? { never: [] }).every(([key, allowed]) =>
								(allowed as unknown[]).includes(valueAt(key)),
							),
					)
					.map((c) => c.name);
				expect(Object.keys(node.credentials ?? {})).toEqual(needed);
			}
		});
	});
});
