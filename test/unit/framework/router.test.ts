import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
} from 'n8n-workflow';
import { InputError, stopsRun } from '../../../nodes/shared/errors';
import { metaApiError } from '../../../nodes/shared/metaErrors';
import {
	forOperation,
	OutputItem,
	type BatchOperation,
	type ItemOperation,
	type OperationTable,
} from '../../../nodes/shared/operation';
import { route, runOperation } from '../../../nodes/shared/router';
import { executeContext, runNode } from '../../helpers/n8n';

const echo: ItemOperation = {
	description: forOperation('thing', 'echo', [{ displayName: 'Word', name: 'word', type: 'string', default: 'hello' }]),
	async execute(this: IExecuteFunctions, i: number) {
		const word = this.getNodeParameter('word', i) as string;
		if (word === 'bad') throw new InputError('Word must not be "bad"', 'Pick another word.');
		if (word === 'meta') {
			throw metaApiError(
				this.getNode(),
				{
					status: 400,
					body: {
						error: {
							message: 'Invalid parameter',
							code: 100,
							error_subcode: 33,
							error_data: { details: 'to is invalid' },
							fbtrace_id: 'TRACE1',
						},
					},
				},
				{ itemIndex: i },
			);
		}
		if (word === 'two')
			return [
				{ word, n: 1 },
				{ word, n: 2 },
			];
		if (word === 'file') return new OutputItem({ word }, { data: { data: 'aGk=', mimeType: 'text/plain' } });
		return { word, item: i };
	},
};

const batches: string[][] = [];
const collect: BatchOperation = {
	kind: 'batch',
	description: forOperation('thing', 'collect', []),
	async execute(this: IExecuteFunctions, items: INodeExecutionData[]) {
		if (items.some((item) => item.json.fail)) throw new Error('the batch failed');
		batches.push(items.map((item) => String(item.json.name)));
		return [{ json: { count: items.length }, pairedItem: items.map((_, item) => ({ item })) }];
	},
};

const table: OperationTable = { thing: { echo, collect } };

class Test implements INodeType {
	description = {
		displayName: 'Test',
		name: 'test',
		group: ['transform'],
		version: 1,
		description: 'test node',
		defaults: { name: 'Test' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				default: 'thing',
				options: [{ name: 'Thing', value: 'thing' }],
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				default: 'echo',
				options: [
					{ name: 'Echo', value: 'echo' },
					{ name: 'Collect', value: 'collect' },
				],
			},
			...echo.description,
			...collect.description,
		],
	} as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [await route.call(this, table)];
	}
}

const words = (...list: string[]) => ({ word: (i: number) => list[i] });

describe('router: item operations', () => {
	it('runs the operation once per item and pairs every output item with its input', async () => {
		const { output } = await runNode({ nodeType: new Test(), params: words('a', 'two', 'c'), items: [{}, {}, {}] });
		expect(output).toEqual([
			{ json: { word: 'a', item: 0 }, pairedItem: { item: 0 } },
			{ json: { word: 'two', n: 1 }, pairedItem: { item: 1 } },
			{ json: { word: 'two', n: 2 }, pairedItem: { item: 1 } },
			{ json: { word: 'c', item: 2 }, pairedItem: { item: 2 } },
		]);
	});

	it('takes the field default from the description when the item gives none', async () => {
		const { output } = await runNode({ nodeType: new Test(), params: {} });
		expect(output[0].json).toEqual({ word: 'hello', item: 0 });
	});

	it('keeps the binary data of an OutputItem', async () => {
		const { output } = await runNode({ nodeType: new Test(), params: words('file') });
		expect(output).toEqual([
			{ json: { word: 'file' }, binary: { data: { data: 'aGk=', mimeType: 'text/plain' } }, pairedItem: { item: 0 } },
		]);
	});

	it('stops at the first failing item with a NodeOperationError naming the field and the item', async () => {
		const run = runNode({ nodeType: new Test(), params: words('a', 'bad', 'c'), items: [{}, {}, {}] });
		await expect(run).rejects.toBeInstanceOf(NodeOperationError);
		await expect(run).rejects.toMatchObject({
			message: 'Word must not be "bad"',
			description: 'Pick another word.',
			context: { itemIndex: 1 },
		});
	});

	it("throws Meta's NodeApiError unchanged", async () => {
		const run = runNode({ nodeType: new Test(), params: words('meta') });
		await expect(run).rejects.toBeInstanceOf(NodeApiError);
		await expect(run).rejects.toMatchObject({ httpCode: '400', message: expect.stringContaining('error 100') });
	});

	it('under Continue On Fail outputs one error item in the shared shape and goes on', async () => {
		const { output } = await runNode({
			nodeType: new Test(),
			params: words('bad', 'meta', 'c'),
			items: [{}, {}, {}],
			continueOnFail: true,
		});
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(output[0].json.error).toEqual({
			message: 'Word must not be "bad"',
			description: 'Pick another word.',
			http_status: null,
			code: null,
			subcode: null,
			details: null,
			fbtrace_id: null,
			fields: [],
		});
		expect(output[1].json.error).toEqual({
			message: expect.stringContaining('error 100 (subcode 33)'),
			description: expect.stringContaining('fbtrace_id TRACE1'),
			http_status: 400,
			code: 100,
			subcode: 33,
			details: 'to is invalid',
			fbtrace_id: 'TRACE1',
			fields: [],
		});
		expect(output[2].json).toEqual({ word: 'c', item: 2 });
	});

	it('rejects an operation the node does not have', async () => {
		await expect(runNode({ nodeType: new Test(), params: { operation: 'nope' } })).rejects.toThrow(
			'The operation "nope" of resource "thing" is not supported',
		);
		await expect(runNode({ nodeType: new Test(), params: { resource: 'toString' } })).rejects.toThrow(
			'is not supported',
		);
	});
});

describe('router: batch operations', () => {
	it('gets every item at once and returns its own paired output', async () => {
		batches.length = 0;
		const items: IDataObject[] = [{ name: 'x' }, { name: 'y' }];
		const { output } = await runNode({ nodeType: new Test(), params: { operation: 'collect' }, items });
		expect(batches).toEqual([['x', 'y']]);
		expect(output).toEqual([{ json: { count: 2 }, pairedItem: [{ item: 0 }, { item: 1 }] }]);
	});

	it('under Continue On Fail turns a failed batch into one error item paired with every input', async () => {
		const { output } = await runNode({
			nodeType: new Test(),
			params: { operation: 'collect' },
			items: [{ fail: true }, {}],
			continueOnFail: true,
		});
		expect(output).toEqual([
			{
				json: { error: expect.objectContaining({ message: 'the batch failed', code: null, fields: [] }) },
				pairedItem: [{ item: 0 }, { item: 1 }],
			},
		]);
	});

	it('without Continue On Fail the batch error stops the run', async () => {
		await expect(
			runNode({ nodeType: new Test(), params: { operation: 'collect' }, items: [{ fail: true }] }),
		).rejects.toThrow('the batch failed');
	});
});

describe('router: errors that stop the run', () => {
	it('rethrows an error marked stopsRun even under Continue On Fail (item and batch)', async () => {
		const dead: ItemOperation = {
			description: [],
			async execute() {
				throw stopsRun(new Error('token is dead'));
			},
		};
		const deadBatch: BatchOperation = { kind: 'batch', description: [], execute: dead.execute as never };
		const ctx = executeContext({ nodeType: new Test(), continueOnFail: true });
		await expect(runOperation.call(ctx, dead)).rejects.toThrow('token is dead');
		await expect(runOperation.call(ctx, deadBatch)).rejects.toThrow('token is dead');
	});
});
