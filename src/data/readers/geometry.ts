import type { ImageAxis, ImageLayout, VolumeGeometry } from './types.js';

type Vec3 = readonly [number, number, number];

/** The layout of an image without geometry: its axes, and the channel count from a trailing 'c' axis. */
export function plainLayout(axes: readonly ImageAxis[], shape: readonly number[]): ImageLayout {
  const channelAxis = axes.indexOf('c');
  return { axes, channels: channelAxis < 0 ? 1 : shape[channelAxis], channelAxis: channelAxis < 0 ? null : channelAxis };
}

// Positive direction of each patient axis in each space, for the axis codes.
const LETTERS: Readonly<Record<VolumeGeometry['space'], readonly [string, string][]>> = {
  RAS: [
    ['R', 'L'],
    ['A', 'P'],
    ['S', 'I'],
  ],
  LPS: [
    ['L', 'R'],
    ['P', 'A'],
    ['S', 'I'],
  ],
};

function norm(v: Vec3): number {
  return Math.hypot(v[0], v[1], v[2]);
}

/** Geometry of a row-major 4x4 affine: spacing and direction from its columns, axis codes from the direction. */
export function geometryFromAffine(affine: readonly (readonly number[])[], space: VolumeGeometry['space'], source: VolumeGeometry['source']): VolumeGeometry {
  const columns = [0, 1, 2].map((c) => [affine[0][c], affine[1][c], affine[2][c]] as const);
  const spacing: [number, number, number] = [norm(columns[0]), norm(columns[1]), norm(columns[2])];
  // A zero column (no spacing) has no direction; it stays zero rather than NaN.
  const orientation = columns.map((v, c) => (spacing[c] === 0 ? ([0, 0, 0] as const) : ([v[0] / spacing[c], v[1] / spacing[c], v[2] / spacing[c]] as const)));
  const axisCodes = orientation
    .map((d) => {
      const big = [0, 1, 2].reduce((b, a) => (Math.abs(d[a]) > Math.abs(d[b]) ? a : b), 0);
      return d[big] === 0 ? '?' : LETTERS[space][big][d[big] > 0 ? 0 : 1];
    })
    .join('');
  return { space, affine: affine.map((r) => [...r]), spacing, orientation, axisCodes, source };
}

/** A row-major 4x4 affine whose columns are the i, j, k steps and whose last column is the origin. */
export function affineFromSteps(i: Vec3, j: Vec3, k: Vec3, origin: Vec3): number[][] {
  return [
    [i[0], j[0], k[0], origin[0]],
    [i[1], j[1], k[1], origin[1]],
    [i[2], j[2], k[2], origin[2]],
    [0, 0, 0, 1],
  ];
}

/** Cross product a × b. */
export function cross(a: Vec3, b: Vec3): [number, number, number] {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

/** v scaled by s. */
export function scale(v: Vec3, s: number): [number, number, number] {
  return [v[0] * s, v[1] * s, v[2] * s];
}
