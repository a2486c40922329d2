import type { ColumnSpec } from '../types.js';

/** Name of the synthetic cohort. */
export const SYNTHETIC_COHORT_NAME = 'synthetic-lung-nodule';

/** The shared patient-record schema of the synthetic lung-nodule cohort, in canonical units. */
export const LUNG_NODULE_SCHEMA: readonly ColumnSpec[] = Object.freeze([
  { name: 'age', kind: 'numeric', unit: 'years', description: 'Age at the CT scan, whole years' },
  { name: 'sex', kind: 'categorical', categories: ['F', 'M'], description: 'Sex recorded at registration' },
  {
    name: 'pack_years',
    kind: 'numeric',
    unit: 'pack-years',
    description: 'Self-reported smoking exposure; 0 for never-smokers, often left blank for them',
  },
  { name: 'family_history', kind: 'binary', description: 'First-degree relative with lung cancer (1 = yes)' },
  {
    name: 'nodule_diameter_mm',
    kind: 'numeric',
    unit: 'mm',
    description: "Radiologist's longest-diameter measurement of the nodule (noisy)",
  },
  { name: 'cea_ng_ml', kind: 'numeric', unit: 'ng/mL', description: 'Serum carcinoembryonic antigen' },
  { name: 'emphysema', kind: 'binary', description: 'Emphysema reported on the CT (1 = yes)' },
  { name: 'bmi', kind: 'numeric', unit: 'kg/m2', description: 'Body-mass index' },
] satisfies ColumnSpec[]);
