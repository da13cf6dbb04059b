import type { GrayImage } from '../image.js';
import { components, type Component } from './components.js';
import { inkCopy } from './working.js';

export interface TextDirection {
  /** The text lines run across the page (upright or upside down), not down it (a page turned 90 or 270 degrees). */
  horizontal: boolean;
  /** 0..1: the share of the evidence that agrees, beyond a coin toss (0 = none either way, e.g. a blank page; 1 = all of it). */
  strength: number;
}

/** Working resolution: 10-point letters stay apart (~12 px high, 1-2 px between them). */
const WORKING_DPI = 150;
/** Components bigger than this (inches, either side) are not letters: rules, boxes, logos, headings. */
const MAX_LETTER_INCHES = 0.3;
/** Letter-shaped: neither side more than this many times the other (a few letters run together are wider). */
const MAX_ASPECT = 2.5;
/** A letter's neighbour is looked for within this distance (inches, centre to centre). */
const NEIGHBOUR_INCHES = 0.3;
/** Fewer letters than this is no evidence (a page of bars and boxes, a blank page). */
const MIN_LETTERS = 20;

/**
 * Whether the page's text lines run horizontally or vertically, by the nearest neighbour of
 * each letter (the "docstrum" idea): letters in a line sit closer to each other than to the
 * lines above and below, so the nearest neighbour of most letters is beside them along the
 * line. Unlike projection profiles, this is not fooled by a table, whose columns of repeated,
 * aligned values line up as sharply as its rows, nor by a few lines of text on a page of
 * rules and boxes (components too big to be letters are left out). Skew within a few degrees
 * does not matter. Which way up (0 or 180) is not decided here: the OCR engine's confidence
 * on both readings does that.
 */
export function textDirection(image: GrayImage): TextDirection {
  const copy = inkCopy(image, WORKING_DPI);
  const maxSide = MAX_LETTER_INCHES * copy.dpi;
  const letters = components(copy.ink, copy.width, copy.height).filter((c) => isLetter(c, maxSide));
  if (letters.length < MIN_LETTERS) return { horizontal: true, strength: 0 };
  const { across, down } = neighbourVotes(letters, NEIGHBOUR_INCHES * copy.dpi);
  if (across + down === 0) return { horizontal: true, strength: 0 };
  return { horizontal: across >= down, strength: Math.abs(across - down) / (across + down) };
}

function isLetter(c: Component, maxSide: number): boolean {
  const w = c.right - c.left;
  const h = c.bottom - c.top;
  if (w < 2 || h < 2 || w > maxSide || h > maxSide) return false;
  return Math.max(w, h) <= MAX_ASPECT * Math.min(w, h);
}

/** For each letter, where its nearest neighbour (by centre) lies: beside it (across) or above/below (down). Found through a grid of cells one search radius wide. */
function neighbourVotes(letters: Component[], radius: number): { across: number; down: number } {
  const cx = letters.map((c) => (c.left + c.right) / 2);
  const cy = letters.map((c) => (c.top + c.bottom) / 2);
  const cell = (v: number) => Math.floor(v / radius);
  const grid = new Map<number, number[]>();
  const key = (gx: number, gy: number) => gy * 100003 + gx;
  letters.forEach((_, i) => {
    const k = key(cell(cx[i]), cell(cy[i]));
    const list = grid.get(k);
    if (list) list.push(i);
    else grid.set(k, [i]);
  });
  let across = 0;
  let down = 0;
  for (let i = 0; i < letters.length; i++) {
    const gx = cell(cx[i]);
    const gy = cell(cy[i]);
    let best = radius * radius;
    let bestDx = 0;
    let bestDy = 0;
    let found = false;
    for (let ny = gy - 1; ny <= gy + 1; ny++) {
      for (let nx = gx - 1; nx <= gx + 1; nx++) {
        for (const j of grid.get(key(nx, ny)) ?? []) {
          if (j === i) continue;
          const dx = cx[j] - cx[i];
          const dy = cy[j] - cy[i];
          const d = dx * dx + dy * dy;
          if (d < best) {
            best = d;
            bestDx = dx;
            bestDy = dy;
            found = true;
          }
        }
      }
    }
    if (!found) continue;
    if (Math.abs(bestDx) > Math.abs(bestDy)) across++;
    else if (Math.abs(bestDy) > Math.abs(bestDx)) down++;
  }
  return { across, down };
}
