/**
 * @module Registers the RoI heads, box heads and RoI extractors in MODELS (HEADS / ROI_EXTRACTORS
 * aliases; one explicit list) and re-exports them: box heads, mask heads, RoI extractors.
 */
import { HEADS, ROI_EXTRACTORS } from '../../registry/root.js';
import { SingleRoIExtractor } from './roi_extractors/single_level_roi_extractor.js';
import { BBoxHead } from './bbox_heads/bbox_head.js';
import { ConvFCBBoxHead, Shared2FCBBoxHead, Shared4Conv1FCBBoxHead } from './bbox_heads/convfc_bbox_head.js';
import { StandardRoIHead } from './standard_roi_head.js';
import { FCNMaskHead } from './mask_heads/fcn_mask_head.js';

ROI_EXTRACTORS.register(SingleRoIExtractor.type, SingleRoIExtractor);
for (const cls of [BBoxHead, ConvFCBBoxHead, Shared2FCBBoxHead, Shared4Conv1FCBBoxHead, StandardRoIHead, FCNMaskHead]) HEADS.register(cls.type, cls);

export { SingleRoIExtractor, BBoxHead, ConvFCBBoxHead, Shared2FCBBoxHead, Shared4Conv1FCBBoxHead, StandardRoIHead, FCNMaskHead };
