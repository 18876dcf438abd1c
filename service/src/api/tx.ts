// Runs fn in a transaction on the service's own connection (committed on success); see db/client.ts.
export { withTransaction as inTransaction } from '../db/client';
