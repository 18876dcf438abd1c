import { resourceProperties } from '../../../shared/resource';
import * as carousel from './carousel';
import * as getQuota from './getQuota';
import * as image from './image';
import * as reel from './reel';
import * as story from './story';

export const operations = { image, reel, story, carousel, getQuota };

export const description = resourceProperties('publish', operations, 'image');
