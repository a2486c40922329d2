import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
const t0 = performance.now();
await tf.setBackend('wasm');
await tf.ready();
console.log('init ms', performance.now() - t0, 'threads', wasm.getThreadsCount(), tf.getBackend());
const names = ['Conv2DBackpropFilter','Conv2DBackpropInput','MaxPoolGrad','AvgPoolGrad','DepthwiseConv2dNativeBackpropFilter','DepthwiseConv2dNativeBackpropInput','StridedSlice','Transpose','BatchMatMul','_FusedMatMul','FusedConv2D','Conv2D','MaxPool','Relu','Sigmoid','Step','Select','GreaterEqual','Mean','Sum','Tile','Pad','Max','Prod','Multinomial','RandomUniform','Sqrt','Rsqrt','Reciprocal','Softplus','Log1p','Exp','Log','Neg','Mul','Sub','Div','AddN','Cast','ZerosLike','OnesLike','LogicalAnd','Less','Greater','Maximum','Minimum','ClipByValue','Abs','Sign','Fill','SquaredDifference','Square','Pow','RealDiv','Equal','LeakyRelu','Prelu'];
for (const n of names) if (!tf.getKernel(n,'wasm')) console.log('missing', n);
