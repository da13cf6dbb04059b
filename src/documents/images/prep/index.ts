/**
 * Page-image preparation before OCR, each step a pure function of a GrayImage (inputs are
 * never changed; a step with nothing to do returns its input). The order meant for the OCR
 * page reader: textDirection → quarterTurn(90) when vertical → estimateSkew →
 * removeRules(image, {skew}) → rotate(-skew) → engine (0 vs 180 by the engine's confidence).
 * Rules are removed BEFORE the page is turned straight, along its skew: the turn blurs a thin
 * rule into grey that is only removed in pieces, and the pieces cost the engine more than
 * the whole rule did. textHeight is measured on the page as scanned.
 */
export { otsuThreshold, inkThreshold, binarize } from './binarize.js';
export { scaleTo, scaleBy, scaleToWidth } from './scale.js';
export { quarterTurn, type QuarterTurn } from './turn.js';
export { textDirection, type TextDirection } from './direction.js';
export { estimateSkew, rotate, MAX_SKEW } from './skew.js';
export { removeRules, type RuleOptions } from './rules.js';
export { textHeight, inkRatio } from './measure.js';
