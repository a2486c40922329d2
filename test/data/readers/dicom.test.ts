import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  ImageReadError,
  detectImageFormat,
  parseDicom,
  pixelStats,
  readDicomSeries,
  readImageFile,
} from '../../../src/data/readers/index.js';
import { dcmjs } from '../../../src/data/readers/dicom/dcmjs.js';
import { assertClose, scratchFile, withTransferSyntax } from './helpers.js';

const DIR = new URL('../../fixtures/dicom/', import.meta.url).pathname;
const SAMPLES = new URL('../../../../shared/data/mri-dicom-nifti-samples/', import.meta.url).pathname;

interface DicomReference {
  readonly rejected?: string;
  readonly shape: number[];
  readonly pixelSpacing?: number[];
  readonly spacing?: number[];
  readonly transferSyntaxUid: string;
  readonly lossy: boolean;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly sha256: string;
}

/** reference.json, written by test/fixtures/dicom/make_reference.py (pydicom 2.3 + GDCM + numpy). */
const REFERENCE = JSON.parse(readFileSync(join(DIR, 'reference.json'), 'utf8')) as {
  files: Record<string, DicomReference>;
  mri: Record<string, DicomReference>;
};

/**
 * Files the reference decodes but medtl rejects, each with the reason it must give:
 * OpenJPEG cannot read the codestream (GDCM's output for it differs wildly from the same image in
 * JPEG2000.dcm, -27504..32522 vs -30..245); and a data set written in implicit VR under an
 * explicit-VR transfer syntax, which pydicom guesses its way through.
 */
const KNOWN_REJECTIONS: Record<string, RegExp> = {
  'JPEG2000-embedded-sequence-delimiter.dcm': /\(7FE0,0010\).*codestream declares 3722445056x1024x1, header says 256x1024x1; not decoded/,
  'SC_rgb_jpeg.dcm': /encoded as Implicit VR Little Endian but Transfer Syntax UID \(0002,0010\) declares 1\.2\.840\.10008\.1\.2\.4\.50/,
};

const files = readdirSync(DIR).filter((f) => f.endsWith('.dcm')).sort();

test('every fixture is in reference.json', () => {
  assert.deepEqual(Object.keys(REFERENCE.files).sort(), files);
  // 68 files from pydicom's test set plus siemens_trio_mr_0.dcm from mri-dicom-nifti-samples.
  assert.equal(files.length, 69);
});

for (const name of files) {
  const ref = REFERENCE.files[name];
  const path = join(DIR, name);
  if (ref.rejected !== undefined || KNOWN_REJECTIONS[name] !== undefined) {
    test(`DICOM ${name}: rejected with the file and a named reason`, async () => {
      await assert.rejects(readImageFile(path), (e: unknown) => {
        assert.ok(e instanceof ImageReadError, String(e));
        assert.ok(e.message.startsWith(`${path}: `), e.message);
        assert.match(e.message, KNOWN_REJECTIONS[name] ?? /(not an image|truncated|malformed|not a DICOM file|Transfer Syntax UID|NumberOfFrames)/);
        return true;
      });
    });
    continue;
  }
  test(`DICOM ${name} (${ref.transferSyntaxUid}): shape and pixel statistics equal pydicom/GDCM's`, async () => {
    const v = await readImageFile(path);
    assert.equal(v.format, 'dicom');
    assert.deepEqual(v.shape, ref.shape);
    assert.equal(v.metadata.transferSyntaxUid, ref.transferSyntaxUid);
    const s = pixelStats(v);
    assert.equal(s.nanCount, 0);
    assert.equal(s.min, ref.min);
    assert.equal(s.max, ref.max);
    // Both means are float64 sums of the same float32 values in different orders: 1e-6 relative is ample.
    assertClose(s.mean, ref.mean, `${name} mean`, 1e-6);
    // Exact even for the lossy syntaxes: on these fixtures libjpeg-turbo, dcmjs-codecs' IJG libjpeg
    // (12-bit JPEG Extended: JPEG-lossy.dcm, JPGExtended.dcm) and OpenJPEG produce the same samples as
    // GDCM's IJG libjpeg / OpenJPEG builds, so no decoder-rounding tolerance is needed.
    assert.equal(s.sha256, ref.sha256);
    if (ref.pixelSpacing !== undefined) assert.deepEqual(v.dicom?.pixelSpacing, ref.pixelSpacing);
  });
}

test('DICOM CT_small.dcm: HU rescale, window, geometry and identifiers in the metadata', async () => {
  const v = await readImageFile(join(DIR, 'CT_small.dcm'));
  const m = v.dicom!;
  assert.equal(m.modality, 'CT');
  assert.equal(m.rescaleSlope, 1);
  assert.equal(m.rescaleIntercept, -1024);
  assert.equal(m.transferSyntaxName, 'Explicit VR Little Endian');
  assert.equal(m.pixelRepresentation, 1);
  assert.deepEqual(v.spacing, [0.661468, 0.661468]);
  assert.deepEqual(m.imagePositionPatient, [-158.135803, -179.035797, -75.699997]);
  assert.equal(m.imageOrientationPatient?.length, 6);
  assert.equal(m.seriesInstanceUid, '1.3.6.1.4.1.5962.1.3.1.1.20040119072730.12322');
  assert.equal(v.metadata.modality, 'CT');
  assert.equal(v.metadata.pixelSpacing, '0.661468\\0.661468');
  // CT_small has no VOI LUT window; MR_small has WindowCenter 600 / WindowWidth 1600 (pydicom reads the same).
  assert.equal(m.windowCenter, undefined);
  const mr = (await readImageFile(join(DIR, 'MR_small.dcm'))).dicom!;
  assert.deepEqual(mr.windowCenter, [600]);
  assert.deepEqual(mr.windowWidth, [1600]);
  assert.equal(mr.rescaleIntercept, 0, 'no rescale attributes: identity');
});

test('DICOM CT_small.dcm: the affine from ImagePositionPatient, ImageOrientationPatient and PixelSpacing', async () => {
  const v = await readImageFile(join(DIR, 'CT_small.dcm'));
  const m = v.dicom!;
  assert.deepEqual(m.imageOrientationPatient, [1, 0, 0, 0, 1, 0]);
  assert.equal(m.sliceThickness, 5);
  assert.deepEqual(v.layout.axes, ['y', 'x']);
  const g = v.layout.geometry!;
  assert.equal(g.space, 'LPS');
  assert.equal(g.source, 'dicom');
  // i along the row direction by the column spacing, j along the column direction by the row spacing, k one slice thickness.
  assert.deepEqual(g.affine, [
    [0.661468, 0, 0, -158.135803],
    [0, 0.661468, 0, -179.035797],
    [0, 0, 5, -75.699997],
    [0, 0, 0, 1],
  ]);
  assert.deepEqual(g.spacing, [0.661468, 0.661468, 5]);
  assert.equal(g.axisCodes, 'LPS');
});

test('DICOM detection: DICM preamble, a bare group-0008 data set, and .dcm names', () => {
  assert.equal(detectImageFormat(readFileSync(join(DIR, 'CT_small.dcm'))), 'dicom');
  assert.equal(detectImageFormat(readFileSync(join(DIR, 'ExplVR_LitEndNoMeta.dcm'))), 'dicom');
  assert.equal(detectImageFormat(readFileSync(join(DIR, 'ExplVR_BigEndNoMeta.dcm'))), 'dicom');
  assert.equal(detectImageFormat(new TextEncoder().encode('hello'), 'x.dcm'), 'dicom');
  assert.equal(detectImageFormat(new TextEncoder().encode('hello'), 'x.bin'), undefined);
});


test('DICOM bad input: each message names the file and the tag or reason', async () => {
  const truncated = join(DIR, 'MR_truncated.dcm');
  await assert.rejects(readImageFile(truncated), (e: unknown) =>
    e instanceof ImageReadError && e.message.startsWith(`${truncated}: `) && /truncated.*\(7FE0,0010\)/.test(e.message));
  const mpeg = scratchFile('mpeg2.dcm', withTransferSyntax('1.2.840.10008.1.2.4.100'));
  await assert.rejects(readImageFile(mpeg), (e: unknown) =>
    e instanceof ImageReadError && e.message === `${mpeg}: unsupported transfer syntax 1.2.840.10008.1.2.4.100 (MPEG2 Main Profile / Main Level) in (0002,0010)`);
  const unknown = scratchFile('unknown-ts.dcm', withTransferSyntax('1.2.3.4.5'));
  await assert.rejects(readImageFile(unknown), /unknown-ts\.dcm: unsupported transfer syntax 1\.2\.3\.4\.5 \(unknown transfer syntax\) in \(0002,0010\)/);
  const text = scratchFile('notes.dcm', 'Patient notes, not an image\n'.repeat(10));
  await assert.rejects(readImageFile(text), (e: unknown) =>
    e instanceof ImageReadError && e.message === `${text}: not a DICOM file (no 'DICM' at byte 128 and no group 0008 element at the start)`);
  await assert.rejects(parseDicom(readFileSync(join(DIR, 'rtplan.dcm')), 'rtplan.dcm'), /^ImageReadError: rtplan\.dcm: no Pixel Data \(7FE0,0010\): not an image \(SOP Class 1\.2\.840\.10008\.5\.1\.4\.1\.1\.481\.5\)/);
});

/** Copies of CT_small.dcm as slices of one series at z = the given positions, with distinct intercepts. */
function slice(z: number, intercept: number, series = '1.2.3.4.5.6', y = -179.035797): Uint8Array {
  const bytes = readFileSync(join(DIR, 'CT_small.dcm'));
  const file = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  file.dict['00200032'] = { vr: 'DS', Value: [-158.135803, y, z] };
  file.dict['00281052'] = { vr: 'DS', Value: [intercept] };
  file.dict['0020000E'] = { vr: 'UI', Value: [series] };
  file.dict['00080018'] = { vr: 'UI', Value: [`1.2.3.4.5.6.${z + 1000}`] };
  return new Uint8Array(file.write());
}

test('readDicomSeries: groups by SeriesInstanceUID, orders by ImagePositionPatient, spacing from positions', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medtl-series-'));
  // Written out of order: z = 5, -5, 0 (file names sort the other way round).
  writeFileSync(join(dir, 'a.dcm'), slice(5, -1000));
  writeFileSync(join(dir, 'b.dcm'), slice(-5, -1024));
  writeFileSync(join(dir, 'c.dcm'), slice(0, -1012));
  writeFileSync(join(dir, 'd.dcm'), slice(0, -1012, '9.8.7'));
  writeFileSync(join(dir, 'junk.dcm'), 'not dicom');
  const { series, rejected } = await readDicomSeries(dir);
  assert.deepEqual(rejected.map((r) => r.file), [join(dir, 'junk.dcm')]);
  assert.match(rejected[0].reason, /junk\.dcm: not a DICOM file/);
  assert.equal(series.length, 2);
  const s = series.find((x) => x.seriesInstanceUid === '1.2.3.4.5.6')!;
  assert.deepEqual(s.files, ['b.dcm', 'c.dcm', 'a.dcm'].map((f) => join(dir, f)));
  assert.deepEqual(s.volume.shape, [3, 128, 128]);
  assert.deepEqual(s.volume.spacing, [5, 0.661468, 0.661468]);
  assert.equal(s.volume.metadata.orderedBy, 'ImagePositionPatient');
  // The stack's affine starts at the lowest slice and steps k from one position to the next.
  assert.deepEqual(s.volume.layout.axes, ['z', 'y', 'x']);
  assert.deepEqual(s.volume.layout.geometry?.affine, [
    [0.661468, 0, 0, -158.135803],
    [0, 0.661468, 0, -179.035797],
    [0, 0, 5, -5],
    [0, 0, 0, 1],
  ]);
  // Each slice is CT_small's pixels with its own intercept, so the slice means step by the intercept differences.
  const plane = 128 * 128;
  const mean = (k: number) => pixelStats({ data: s.volume.data.subarray(k * plane, (k + 1) * plane) }).mean!;
  assertClose(mean(1) - mean(0), 12, 'slice 1 - slice 0', 1e-6);
  assertClose(mean(2) - mean(1), 12, 'slice 2 - slice 1', 1e-6);
  // A tilted stack (each slice 1 mm further along y): k follows the positions, not the slice normal.
  const tilt = mkdtempSync(join(tmpdir(), 'medtl-series-tilt-'));
  for (const z of [0, 5, 10]) writeFileSync(join(tilt, `${z}.dcm`), slice(z, -1024, '1.2.3.4.5.7', z / 5));
  const tilted = (await readDicomSeries(tilt)).series[0].volume.layout.geometry!;
  assert.deepEqual(tilted.affine.map((row) => row[2]), [0, 1, 5, 0]);
  assert.deepEqual(tilted.affine.map((row) => row[3]), [-158.135803, 0, 0, 1]);
  const dup = mkdtempSync(join(tmpdir(), 'medtl-series-dup-'));
  writeFileSync(join(dup, 'x.dcm'), slice(0, -1024));
  writeFileSync(join(dup, 'y.dcm'), slice(0, -1000));
  const bad = await readDicomSeries([join(dup, 'x.dcm'), join(dup, 'y.dcm')]);
  assert.equal(bad.series.length, 0);
  assert.match(bad.rejected[0].reason, /ImagePositionPatient \(0020,0032\) repeats/);
});

test('mri-dicom-nifti-samples: the Siemens DICOM slice (copied into fixtures) has the reference shape and voxel size', async () => {
  const ref = REFERENCE.mri['siemens_trio_mr_0.dcm'];
  const v = await readImageFile(join(DIR, 'siemens_trio_mr_0.dcm'));
  assert.deepEqual(v.shape, ref.shape);
  assert.deepEqual(v.spacing, ref.pixelSpacing);
  assert.equal(pixelStats(v).sha256, ref.sha256);
});

test('mri-dicom-nifti-samples: every NIfTI sample has the reference shape and voxel size', async (t) => {
  if (!existsSync(SAMPLES)) {
    t.skip(`${SAMPLES} is absent (public data outside the repository); the copies in test/fixtures/images are tested in nifti.test.ts`);
    return;
  }
  const names = Object.keys(REFERENCE.mri).filter((n) => n.endsWith('.nii') || n.endsWith('.nii.gz'));
  assert.equal(names.length, 5);
  for (const name of names) {
    const ref = REFERENCE.mri[name];
    const v = await readImageFile(join(SAMPLES, name));
    assert.deepEqual(v.shape, ref.shape, name);
    // Header pixdim values are float32; both sides read the same float: exact up to float64 printing.
    v.spacing!.forEach((s, k) => assertClose(s, ref.spacing![k], `${name} spacing[${k}]`, 1e-12));
    assert.equal(pixelStats(v).sha256, ref.sha256, name);
  }
});
