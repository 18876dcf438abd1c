// The V8 heap settings the service runs with: the Dockerfile's CMD, `npm run service`, `npm start`
// and the benchmarks start `node ${SERVICE_NODE_FLAGS} service/dist/main.js`. Measured under
// bench:ingest load (service/bench/README.md): with V8's defaults the resident memory kept growing
// (124 → 263 MB in 20 s) because the young generation grows to 16 MB semi-spaces and the old
// generation is collected late against a multi-GB limit; with these it stays at ~100 MB, at the same
// CPU per request. 384 MB of old space leaves room for many large bodies at once.
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--max-old-space-size=384'];
