/**
 * @module Registers this folder's components (one explicit list) and re-exports its public API.
 * structures/ registers nothing; it exports the mask library shared by data/, models/ and evaluation/.
 */
export {
  rleEncode,
  rleDecode,
  rleArea,
  rleMerge,
  rleToBbox,
  rleFrPoly,
  rleFrBbox,
  rleToString,
  rleFrString,
  frPyObjects,
  segmToRle,
  rleFromObject,
  toRleObject,
  bbIou,
  rleIou,
  type RawRle,
} from './mask.js';
export { bitmapToRle, rleToBitmap, polygonToBitmap, cropAndResizePolygons } from './mask_structures.js';
export { bboxFlipArray } from './bbox_array.js';
