// The V8 heap settings the service runs with: the Dockerfile's CMD, `npm run service`, `npm start`
// and the benchmarks start `node ${SERVICE_NODE_FLAGS} service/dist/main.js`. Measured under
// bench:ingest load (service/bench/README.md): with V8's defaults the resident memory kept growing
// (124 → 263 MB in 20 s), as the young generation grows to 16 MB semi-spaces and the old generation
// is collected late against a multi-GB limit; with these it levels off at ~115 MB. 4 MB semi-spaces
// saved a little more memory but collected the young generation twice as often. 384 MB of old
// space leaves room for many large bodies at once.
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8', '--max-old-space-size=384'];
