import { im2colT, col2im, convGeometry } from '../../src/compute/kernels/im2col.js';
for (const [n,h,c,oc,s] of [[32,64,16,32,1],[32,32,32,64,1],[32,64,1,16,1]]) {
  const g = convGeometry([n,h,h,c],[3,3,c,oc],s,'same',undefined);
  const xs = n*h*h*c; const R = 9*c; const P = n*g.outH*g.outW;
  const heap = new Float32Array(xs + R*P + 16);
  for (let i=0;i<xs;i++) heap[i]=Math.random();
  for (let r=0;r<4;r++){ const t=performance.now(); im2colT(heap,0,g,0,n,xs); const t2=performance.now(); col2im(heap, xs, g, 0, n, 0); console.log(n,h,c,'im2colT ms',(t2-t).toFixed(1),'col2im ms',(performance.now()-t2).toFixed(1), 'elems', R*P); }
}
