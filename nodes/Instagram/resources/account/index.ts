import { resourceProperties } from '../../../shared/resource';
import * as getInsights from './getInsights';
import * as getProfile from './getProfile';

export const operations = { getProfile, getInsights };

export const description = resourceProperties('account', operations, 'getProfile');
