import type { DicomImageAttributes } from './meta.js';

/** Keeps the BitsStored bits below HighBit and applies PixelRepresentation (two's complement when 1). */
export function storedValue(v: number, attrs: Pick<DicomImageAttributes, 'bitsStored' | 'highBit' | 'pixelRepresentation'>): number {
  const { bitsStored, highBit, pixelRepresentation } = attrs;
  const range = 2 ** bitsStored;
  const shifted = Math.floor(v / 2 ** Math.max(0, highBit + 1 - bitsStored));
  // Codecs may hand back already-signed samples: the modulo maps them onto the unsigned bit pattern first.
  const unsigned = ((shifted % range) + range) % range;
  return pixelRepresentation === 1 && unsigned >= range / 2 ? unsigned - range : unsigned;
}

/** YBR_FULL → RGB for 8-bit samples (PS3.3 C.7.6.3.1.2), rounded to nearest and clipped to 0..255. */
export function ybrFullToRgb(y: number, cb: number, cr: number): [number, number, number] {
  const clip = (x: number) => Math.min(255, Math.max(0, Math.floor(x + 0.5)));
  return [
    clip(y + 1.402 * (cr - 128)),
    clip(y - ((0.114 * 1.772) / 0.587) * (cb - 128) - ((0.299 * 1.402) / 0.587) * (cr - 128)),
    clip(y + 1.772 * (cb - 128)),
  ];
}

/**
 * Stored sample values → modality units as float32: bit masking and sign, MONOCHROME1 inversion,
 * then RescaleSlope/Intercept (or RT Dose DoseGridScaling); colour samples are masked and YBR_FULL → RGB.
 */
export function toModalityUnits(values: Float64Array, photometric: string, attrs: DicomImageAttributes): Float32Array {
  const out = new Float32Array(values.length);
  if (attrs.samplesPerPixel === 1) {
    const monochrome1 = photometric === 'MONOCHROME1';
    const signed = attrs.pixelRepresentation === 1;
    const maxValue = 2 ** attrs.bitsStored - 1;
    const hasRescale = attrs.rescaleSlope !== 1 || attrs.rescaleIntercept !== 0;
    const slope = !hasRescale && attrs.modality === 'RTDOSE' && attrs.doseGridScaling !== undefined ? attrs.doseGridScaling : attrs.rescaleSlope;
    const intercept = attrs.rescaleIntercept;
    for (let i = 0; i < values.length; i++) {
      let v = storedValue(values[i], attrs);
      // MONOCHROME1: the lowest stored value is white; invert within the stored range so larger means brighter.
      if (monochrome1) v = signed ? -1 - v : maxValue - v;
      out[i] = v * slope + intercept;
    }
    return out;
  }
  for (let i = 0; i < values.length; i++) out[i] = storedValue(values[i], attrs);
  if (attrs.samplesPerPixel === 3 && photometric === 'YBR_FULL' && attrs.bitsAllocated === 8) {
    for (let i = 0; i + 2 < out.length; i += 3) out.set(ybrFullToRgb(out[i], out[i + 1], out[i + 2]), i);
  }
  return out;
}
