// Module boundaries of src/, checked by `npm run lint:deps` (part of `npm test`); docs/architecture.md
// ("Layers") says the same in words. A folder may import its own files and the folders of lower layers.
/** Top-level folders of src/, lowest layer first; folders in one inner array share a layer and may not import each other. */
const LAYERS = [['util'], ['data'], ['preprocess', 'evaluate'], ['compute'], ['models'], ['train'], ['transfer'], ['config'], ['record'], ['report'], ['pipeline'], ['cli']];

const alt = (names) => `(${names.join('|')})`;

const layerRules = LAYERS.flatMap((layer, k) => {
  const higher = LAYERS.slice(k + 1).flat();
  return layer
    .map((folder) => {
      const forbidden = [...higher, ...layer.filter((x) => x !== folder)];
      return forbidden.length === 0
        ? null
        : {
            name: `layer-${folder}`,
            comment: `src/${folder}/ may import only lower layers (${LAYERS.slice(0, k).flat().join(', ') || 'none'}); see docs/architecture.md`,
            severity: 'error',
            from: { path: `^src/${folder}/` },
            to: { path: `^src/${alt(forbidden)}/` },
          };
    })
    .filter((r) => r !== null);
});

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'modules of src/ may not import each other in a cycle',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'layer-unlisted',
      comment: 'every top-level folder of src/ has a place in LAYERS (here and in docs/architecture.md)',
      severity: 'error',
      from: { path: '^src/[^/]+/', pathNot: `^src/${alt(LAYERS.flat())}/` },
      to: {},
    },
    {
      name: 'compute-kernels-private',
      comment: 'src/compute/kernels/ is an implementation detail of src/compute/; go through its public modules',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/compute/' },
      to: { path: '^src/compute/kernels/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'an import that resolves to nothing is a typo or a missing dependency',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.json'] },
  },
};
