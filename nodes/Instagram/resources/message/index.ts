import { resourceProperties } from '../../../shared/resource';
import * as privateReply from './privateReply';
import * as sendText from './sendText';

export const operations = { privateReply, sendText };

export const description = resourceProperties('message', operations, 'privateReply');
