/**
 * @module Registers the dense heads in MODELS (HEADS alias; one explicit list) and re-exports them.
 */
import { HEADS } from '../../registry/root.js';
import { AnchorHead } from './anchor_head.js';
import { RetinaHead } from './retina_head.js';
import { ATSSHead } from './atss_head.js';
import { FCOSHead } from './fcos_head.js';
import { RPNHead } from './rpn_head.js';

for (const cls of [AnchorHead, RetinaHead, ATSSHead, FCOSHead, RPNHead]) HEADS.register(cls.type, cls);

export { AnchorHead, RetinaHead, ATSSHead, FCOSHead, RPNHead };
