import { resourceProperties } from '../../../shared/resource';
import * as create from './create';
import * as deleteAsset from './delete';
import * as get from './get';
import * as search from './search';
import * as update from './update';

export const operations = { search, get, create, update, delete: deleteAsset };

export const description = resourceProperties('library', operations, 'search');
