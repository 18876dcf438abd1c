import { resourceProperties } from '../../../shared/resource';
import * as ingestBundle from './ingest';

export const operations = { ingest: ingestBundle };

export const description = resourceProperties('bundle', operations, 'ingest');
