/**
 * @module Brings the type declarations of tfjs's chained tensor methods (`x.mul(y)`) into the program.
 * The methods themselves are registered at run time by `gradients_bundle.ts`; this file only
 * makes `tsc` see their module augmentations.
 */
import type {} from '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';
