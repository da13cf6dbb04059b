import { execFile } from 'node:child_process';
import { TesseractWasm, coreVersion, languageFile, OCR_LANGUAGES } from './tesseract-wasm.js';

/**
 * What OCR this machine has, for `doctor`: the engine halo-data uses (Tesseract's WASM build
 * from npm, loaded for real: a missing or damaged package fails here, not at 3 a.m. on the
 * first scan) and, for information, a system Tesseract if one is installed (not used:
 * ARCHITECTURE.md, "OCR", says why).
 */
export interface OcrAvailability {
  ok: boolean;
  detail: string;
  fix?: string;
}

export async function ocrAvailability(): Promise<OcrAvailability> {
  const version = coreVersion();
  const missing = OCR_LANGUAGES.filter((l) => !languageFile(l));
  if (!version) return { ok: false, detail: 'the OCR engine (npm package tesseract.js-core) is not installed: scanned claims cannot be read', fix: 'npm ci in the halo-data folder' };
  let languages: string[];
  try {
    languages = (await TesseractWasm.load()).languages;
  } catch (e) {
    return { ok: false, detail: `the OCR engine does not load: ${(e as Error).message}`, fix: 'npm ci in the halo-data folder' };
  }
  const system = await systemTesseract();
  const detail = `tesseract-wasm ${version} (from npm), languages ${languages.join(', ')}`
    + (missing.length ? `; missing ${missing.join(', ')} (@tesseract.js-data/${missing[0]})` : '')
    + `; ${system ? `system ${system} found, not used` : 'no system tesseract (not needed)'}`;
  return { ok: missing.length < OCR_LANGUAGES.length, detail, ...(missing.length ? { fix: 'npm ci in the halo-data folder' } : {}) };
}

function systemTesseract(): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('tesseract', ['--version'], { timeout: 5000 }, (err, stdout, stderr) => {
      if (err) return resolve(null);
      const m = /tesseract\s+v?([\d.]+)/i.exec(`${stdout}\n${stderr}`);
      resolve(m ? `tesseract ${m[1]}` : 'tesseract');
    });
  });
}
