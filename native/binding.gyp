{
  "variables": { "have_onednn": "<!(node has-onednn.mjs)" },
  "targets": [
    {
      "target_name": "medtl_native",
      "sources": ["src/medtl_native.c", "src/onednn.c"],
      "cflags": ["-O3", "<!@(node cflags.mjs)", "-std=gnu11", "-ffp-contract=off", "-fno-math-errno", "-fopenmp", "<!@(pkg-config --cflags openblas)"],
      "libraries": ["<!@(pkg-config --libs openblas)"],
      "ldflags": ["-fopenmp", "-Wl,-rpath,<!(pkg-config --variable=libdir openblas)"],
      "conditions": [
        ["have_onednn==1", { "defines": ["MEDTL_HAVE_DNNL"], "libraries": ["-ldnnl"] }]
      ]
    }
  ]
}
