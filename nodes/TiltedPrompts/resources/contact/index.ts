import { resourceProperties } from '../../../shared/resource';
import * as optIn from './optIn';
import * as optOut from './optOut';
import * as erase from './erase';
import * as get from './get';
import * as getMany from './getMany';
import * as importContacts from './import';
import * as upsert from './upsert';

export const operations = { upsert, import: importContacts, get, getMany, optIn, optOut, erase };

export const description = resourceProperties('contact', operations, 'upsert');
