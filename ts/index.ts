/**
 * wasm-backprop: fully-connected networks trained with backpropagation, three ways behind one API
 * (the paper's per-neuron `educational` engine, the matrix `js` engine, the Rust/WebAssembly `wasm`
 * engine).
 */
export type {} from './disposable.js';
export { Network, type NetworkOptions } from './network.js';
export type { Engine, Architecture, StepSettings, OptimizerState, TrainingState } from './engine.js';
export { LIMITS } from './engine.js';
export { resolveOptions, type NetworkConfig } from './options.js';
export { Layout, flattenParameters, unflattenParameters, initialParameters } from './parameters.js';
export { CONFIGURATIONS, configuration, type Configuration, type ConfigurationName } from './configurations.js';
// Types only here (a network's engineInstance is typed with them); the classes themselves come from
// 'wasm-backprop/sync', so that an app of the wasm engine does not bundle the educational engine.
export type { EducationalEngine, Neuron, Layer, NeuronGraph } from './engines/educational.js';
export { ArgumentError } from './errors.js';
export {
  toModel,
  checkModel,
  loadNetwork,
  modelToString,
  modelFromString,
  modelToBytes,
  modelFromBytes,
  MODEL_FORMAT,
  MODEL_VERSION,
  type Model,
  type ModelData,
  type ModelExtra,
  type EncodedNumbers,
  type LoadNetworkOptions,
} from './model.js';
export { toBase64, fromBase64, type Dtype } from './encoding.js';
export { Random } from './random.js';
export type { Matrix } from './matrix.js';
export { loadWasm, simdSupported, relaxedSimdSupported, type LoadOptions, type WasmSource, WasmInstance } from './wasm/loader.js';
export * from './types.js';
export {
  parseCsv,
  datasetFromTable,
  split,
  splitInPlace,
  subset,
  oneHot,
  guessTask,
  DatasetBuilder,
  TASKS,
  MAX_CLASSES,
  AUTO_MAX_CLASSES,
  type Dataset,
  type Task,
  type CsvTable,
  type DatasetOptions,
  type TableOptions,
  type FeatureTableOptions,
  type TableDataset,
  type TableFeatures,
} from './data.js';
export { fitScalingOn, scaleInPlace, applyScaling, fitScaling, classify, type FeatureScaling, type ScalingKind } from './scaling.js';
export {
  toTfjs,
  readTfjs,
  fromTfjs,
  type TfjsArtifacts,
  type TfjsModelJson,
  type TfjsLayerJson,
  type TfjsWeightSpec,
  type TfjsExportOptions,
  type TfjsImportOptions,
  type TfjsNetwork,
} from './export/tfjs.js';
export { trace, traceBatches, type TraceOptions } from './trace/record.js';
export { compareTraces, formatComparison, describeMiss, type CompareReport, type TensorComparison } from './trace/compare.js';
export { gradcheck, formatGradcheck, type GradcheckOptions, type GradcheckReport, type GradcheckTensor } from './trace/gradcheck.js';
export { encodeNpy, decodeNpy, type NpyArray } from './trace/npy.js';
export { TRACE_FORMAT, TRACE_VERSION, tensorNames, checkTraceConfig, type Trace, type TraceConfig, type TensorName, type TensorKind } from './trace/format.js';
export { tolerances, ulpOf } from './trace/tolerance.js';
