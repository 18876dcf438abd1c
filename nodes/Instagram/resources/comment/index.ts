import { resourceProperties } from '../../../shared/resource';
import * as deleteComment from './delete';
import * as getMany from './getMany';
import * as getReplies from './getReplies';
import * as hide from './hide';
import * as reply from './reply';

export const operations = { getMany, getReplies, reply, hide, delete: deleteComment };

export const description = resourceProperties('comment', operations, 'getMany');
