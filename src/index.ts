// Public library surface of medtl: everything the CLI does is reachable from here.
export * from './data/types.js';
export * from './data/splits.js';
export * from './data/synthetic/index.js';
export * from './compute/index.js';
export * from './models/onnx-session.js';
export * from './models/feature-stream.js';
export * from './config/experiment.js';
export * from './preprocess/features.js';
export * from './preprocess/image.js';
export * from './preprocess/tabular.js';
export * from './preprocess/preprocessor.js';
export * from './models/spec.js';
export * from './models/fusion.js';
export * from './models/artifact.js';
export * from './models/encoders.js';
export * from './models/fusion-layers.js';
export * from './models/embedding.js';
export * from './models/stacking.js';
export * from './models/spec-for.js';
export * from './models/embedding-cache.js';
export * from './models/onnx-backbone.js';
export * from './preprocess/text.js';
export * from './train/loop.js';
export * from './transfer/types.js';
export * from './transfer/registry.js';
export * from './transfer/define.js';
export * from './transfer/pretrain.js';
export * from './transfer/options.js';
export * from './transfer/embedding.js';
export * from './transfer/domain-losses.js';
export * from './transfer/adapt.js';
export { DomainClassifier, dannAligner } from './transfer/dann.js';
export { classifierDensityRatio } from './transfer/reweight/classifier-ratio.js';
export { kernelMeanMatching } from './transfer/reweight/kmm.js';
export { kliep } from './transfer/reweight/kliep.js';
export { clipAndNormalise, summariseWeights, type WeightSummary } from './transfer/reweight/normalise.js';
export { logme } from './transfer/multi-source/logme.js';
export { perSourceModels, releasePerSourceModels, type PerSourceModels, type SourceModel } from './transfer/multi-source/per-source.js';
export * from './evaluate/metrics.js';
export * from './evaluate/bootstrap.js';
export * from './evaluate/evaluation.js';
export * from './evaluate/auprc.js';
export * from './evaluate/calibration.js';
export * from './evaluate/confusion-metrics.js';
export * from './evaluate/delong.js';
export * from './evaluate/multiclass.js';
export * from './evaluate/normal.js';
export * from './evaluate/operating-point.js';
export * from './evaluate/metric-summary.js';
export * from './evaluate/predictions-file.js';
export * from './evaluate/oracle-aurocs.js';
export * from './evaluate/predictions-report.js';
export * from './evaluate/threshold-selection.js';
export * from './evaluate/temperature-scaling.js';
export * from './evaluate/subgroups.js';
export * from './pipeline/experiment.js';
export * from './record/index.js';
export * from './pipeline/partition.js';
export * from './pipeline/folds.js';
export * from './pipeline/seeds.js';
export * from './pipeline/run-method.js';
export * from './evaluate/paired.js';
export * from './evaluate/operating-points.js';
export * from './report/index.js';
export * from './util/progress.js';
export * from './util/random.js';
export * from './evaluate/protocols/index.js';
export * from './data/readers/index.js';
export * from './data/manifest/index.js';
export * from './data/tables/index.js';
export * from './data/fhir/index.js';
export * from './data/catalog/index.js';
export * from './data/ingest/index.js';
export * from './data/deid/table.js';
export * from './data/deid/dicom.js';
export {
  DicomWebError,
  MultipartError,
  PULL_LEDGER,
  dicomWebAuthFromEnv,
  listDicomWebImages,
  multipartBoundary,
  pullStudies,
  readMultipart,
  retrieveInstance,
  retrieveParts,
  searchAll,
  searchInstances,
  searchSeries,
  searchStudies,
} from './data/dicomweb/index.js';
export type {
  DicomWebAuth,
  DicomWebEndpoint,
  InstanceRecord,
  MultipartPart,
  PullFailure,
  PullOptions,
  PullProgress,
  PullQuery,
  PullResult,
  PulledInstance,
  QidoQuery,
  RetrieveOptions,
  SeriesRecord,
  StudyRecord,
} from './data/dicomweb/index.js';
