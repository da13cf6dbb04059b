/**
 * Page-image preparation before OCR, each step a pure function of a GrayImage (inputs are
 * never changed; a step with nothing to do returns its input). The order the OCR page reader
 * is meant to use: textDirection → quarterTurn (then 0 vs 180 by the engine's confidence) →
 * estimateSkew → rotate(-skew) → removeRules → scaleTo / scaleBy (by textHeight) → engine.
 */
export { otsuThreshold, inkThreshold, binarize } from './binarize.js';
export { scaleTo, scaleBy, scaleToWidth } from './scale.js';
export { quarterTurn, type QuarterTurn } from './turn.js';
export { textDirection, type TextDirection } from './direction.js';
export { estimateSkew, rotate, MAX_SKEW } from './skew.js';
export { removeRules, type RuleOptions } from './rules.js';
export { textHeight, inkRatio } from './measure.js';
