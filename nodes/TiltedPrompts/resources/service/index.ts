import { resourceProperties } from '../../../shared/resource';
import * as getHealth from './getHealth';

export const operations = { getHealth };

export const description = resourceProperties('service', operations, 'getHealth');
