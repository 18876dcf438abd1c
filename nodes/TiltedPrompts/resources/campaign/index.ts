import { resourceProperties } from '../../../shared/resource';
import * as claim from './claim';
import * as create from './create';
import * as getReport from './getReport';
import * as recordResults from './recordResults';

export const operations = { create, claim, recordResults, getReport };

export const description = resourceProperties('campaign', operations, 'create');
