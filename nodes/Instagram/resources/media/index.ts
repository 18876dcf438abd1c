import { resourceProperties } from '../../../shared/resource';
import * as get from './get';
import * as getChildren from './getChildren';
import * as getInsights from './getInsights';
import * as getMany from './getMany';

export const operations = { getMany, get, getChildren, getInsights };

export const description = resourceProperties('media', operations, 'getMany');
