// RUN: kiln-opt %s --pass-pipeline="builtin.module(func.func(kiln-vectorize),canonicalize,cse)" | FileCheck %s

#mk = affine_map<(m, n, k) -> (m, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>
#id2 = affine_map<(a, b) -> (a, b)>
#tr2 = affine_map<(a, b) -> (b, a)>
#id3 = affine_map<(a, b, c) -> (a, b, c)>
#bmk = affine_map<(b, m, n, k) -> (b, m, k)>
#bkn = affine_map<(b, m, n, k) -> (b, k, n)>
#bmn = affine_map<(b, m, n, k) -> (b, m, n)>


// A dense layer: each row is 784 x 256 multiply-adds, so the columns are
// split into thread blocks of one 32-wide register tile; rows run in 8-row
// register tiles with the accumulator in registers, then the leftover rows.
// CHECK-LABEL: func.func @dense
// CHECK: scf.forall (%[[J:.+]]) = (0) to (256) step (32) shared_outs
// CHECK: %[[ACC:.+]] = vector.transfer_read {{.+}} vector<8x32xf32>
// CHECK: scf.for {{.+}} = %c0 to %c784 step %c1 iter_args(%[[V:.+]] = %[[ACC]]) -> (vector<8x32xf32>)
// CHECK: vector.transfer_read %{{.+}}[%{{.+}}, %[[J]]]{{.+}} : tensor<784x256xf32>, vector<32xf32>
// CHECK: vector.fma {{.+}}, %[[V]] : vector<8x32xf32>
// CHECK: vector.fma {{.+}} : vector<32xf32>
// CHECK: scf.forall.in_parallel
func.func @dense(%x: tensor<?x784xf32>, %w: tensor<784x256xf32>, %acc: tensor<?x256xf32>) -> tensor<?x256xf32> {
  %r = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<?x784xf32>, tensor<784x256xf32>) outs(%acc : tensor<?x256xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b fastmath<contract> : f32
    %s = arith.addf %c, %p fastmath<contract> : f32
    linalg.yield %s : f32
  } -> tensor<?x256xf32>
  return %r : tensor<?x256xf32>
}

// An image-to-column product: little work per row, so blocks of 64 rows
// (of a dynamic count) go to the threads.
// CHECK-LABEL: func.func @patches
// CHECK: scf.forall ({{.+}}) = (0) to (%{{.+}}) step (64)
// CHECK: vector.fma {{.+}} : vector<8x32xf32>
func.func @patches(%x: tensor<?x9xf32>, %w: tensor<9x32xf32>, %acc: tensor<?x32xf32>) -> tensor<?x32xf32> {
  %r = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<?x9xf32>, tensor<9x32xf32>) outs(%acc : tensor<?x32xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b fastmath<contract> : f32
    %s = arith.addf %c, %p fastmath<contract> : f32
    linalg.yield %s : f32
  } -> tensor<?x32xf32>
  return %r : tensor<?x32xf32>
}

// A batched product: one image of the batch per block.
// CHECK-LABEL: func.func @batched
// CHECK: scf.forall ({{.+}}) in (4)
// CHECK: vector.fma {{.+}} : vector<8x32xf32>
func.func @batched(%x: tensor<4x16x64xf32>, %w: tensor<4x64x32xf32>, %acc: tensor<4x16x32xf32>) -> tensor<4x16x32xf32> {
  %r = linalg.generic {indexing_maps = [#bmk, #bkn, #bmn], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<4x16x64xf32>, tensor<4x64x32xf32>) outs(%acc : tensor<4x16x32xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b fastmath<contract> : f32
    %s = arith.addf %c, %p fastmath<contract> : f32
    linalg.yield %s : f32
  } -> tensor<4x16x32xf32>
  return %r : tensor<4x16x32xf32>
}

// Elementwise: blocks of the outer dimension, vectors along the last.
// CHECK-LABEL: func.func @relu
// CHECK: scf.forall ({{.+}}) in (%{{.+}})
// CHECK: scf.for {{.+}} step %c16
// CHECK: arith.maximumf {{.+}} : vector<16xf32>
func.func @relu(%x: tensor<?x32x784xf32>, %init: tensor<?x32x784xf32>) -> tensor<?x32x784xf32> {
  %zero = arith.constant 0.0 : f32
  %r = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : tensor<?x32x784xf32>) outs(%init : tensor<?x32x784xf32>) {
  ^bb0(%a: f32, %c: f32):
    %m = arith.maximumf %a, %zero : f32
    linalg.yield %m : f32
  } -> tensor<?x32x784xf32>
  return %r : tensor<?x32x784xf32>
}

// A transpose: 16 x 16 tiles read as rows and transposed in registers.
// CHECK-LABEL: func.func @transpose
// CHECK: scf.forall ({{.+}}) = (0) to (3136) step (16)
// CHECK: %[[TILE:.+]] = vector.transfer_read {{.+}} : tensor<128x3136xf32>, vector<16x16xf32>
// CHECK: vector.transpose %[[TILE]], [1, 0] : vector<16x16xf32> to vector<16x16xf32>
func.func @transpose(%x: tensor<128x3136xf32>, %init: tensor<3136x128xf32>) -> tensor<3136x128xf32> {
  %r = linalg.transpose ins(%x : tensor<128x3136xf32>) outs(%init : tensor<3136x128xf32>) permutation = [1, 0]
  return %r : tensor<3136x128xf32>
}

// Columns that are not a multiple of the vector width are one
// whole-row tile, without masks.
// CHECK-LABEL: func.func @ragged
// CHECK-NOT: vector.mask
// CHECK: vector.fma {{.+}} : vector<8x7xf32>
// CHECK-NOT: vector.mask
// CHECK: vector.fma {{.+}} : vector<7xf32>
func.func @ragged(%x: tensor<?x5xf32>, %w: tensor<5x7xf32>, %acc: tensor<?x7xf32>) -> tensor<?x7xf32> {
  %r = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<?x5xf32>, tensor<5x7xf32>) outs(%acc : tensor<?x7xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b fastmath<contract> : f32
    %s = arith.addf %c, %p fastmath<contract> : f32
    linalg.yield %s : f32
  } -> tensor<?x7xf32>
  return %r : tensor<?x7xf32>
}

// The zero fill of a result is fused into its thread blocks: each thread
// zeroes the block it computes.
// CHECK-LABEL: func.func @zero_filled
// CHECK: %[[EMPTY:.+]] = tensor.empty
// CHECK-NOT: linalg.fill
// CHECK: scf.forall ({{.+}}) = (0) to (256) step (32) shared_outs(%{{.+}} = %[[EMPTY]])
// CHECK: linalg.fill {{.+}} -> tensor<?x32xf32>
func.func @zero_filled(%x: tensor<?x784xf32>, %w: tensor<784x256xf32>) -> tensor<?x256xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %rows = tensor.dim %x, %c0 : tensor<?x784xf32>
  %empty = tensor.empty(%rows) : tensor<?x256xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<?x256xf32>) -> tensor<?x256xf32>
  %r = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<?x784xf32>, tensor<784x256xf32>) outs(%acc : tensor<?x256xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b fastmath<contract> : f32
    %s = arith.addf %c, %p fastmath<contract> : f32
    linalg.yield %s : f32
  } -> tensor<?x256xf32>
  return %r : tensor<?x256xf32>
}

// Pooling keeps linalg's loops, one image of the batch per thread block,
// with the -inf fill fused in.
// CHECK-LABEL: func.func @pool
// CHECK: scf.forall ({{.+}}) in (%{{.+}})
// CHECK: linalg.fill {{.+}} -> tensor<1x8x4x4xf32>
// CHECK: linalg.pooling_nchw_max {{.+}} -> tensor<1x8x4x4xf32>
func.func @pool(%x: tensor<?x8x8x8xf32>) -> tensor<?x8x4x4xf32> {
  %c0 = arith.constant 0 : index
  %lowest = arith.constant 0xFF800000 : f32
  %n = tensor.dim %x, %c0 : tensor<?x8x8x8xf32>
  %empty = tensor.empty(%n) : tensor<?x8x4x4xf32>
  %init = linalg.fill ins(%lowest : f32) outs(%empty : tensor<?x8x4x4xf32>) -> tensor<?x8x4x4xf32>
  %window = tensor.empty() : tensor<2x2xf32>
  %r = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%x, %window : tensor<?x8x8x8xf32>, tensor<2x2xf32>) outs(%init : tensor<?x8x4x4xf32>) -> tensor<?x8x4x4xf32>
  return %r : tensor<?x8x4x4xf32>
}

// A mask (i1) keeps scalar loops: LLVM stores vectors of i1 as packed bits,
// buffers of i1 hold bytes. It is still split across threads.
// CHECK-LABEL: func.func @mask
// CHECK: scf.forall
// CHECK-NOT: vector.
// CHECK: linalg.generic {{.+}} outs(%{{.+}} : tensor<8x64xi1>)
// CHECK-NOT: vector.
// CHECK: return
func.func @mask(%x: tensor<64x64xf32>) -> tensor<64x64xi1> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<64x64xi1>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<64x64xf32>) outs(%empty : tensor<64x64xi1>) {
  ^bb0(%a: f32, %o: i1):
    %c = arith.cmpf ogt, %a, %zero : f32
    linalg.yield %c : i1
  } -> tensor<64x64xi1>
  return %r : tensor<64x64xi1>
}

// A reduction over the batch keeps its columns: blocks of 16 lanes for the
// threads, each accumulating in one vector register across the batch.
// CHECK-LABEL: func.func @column_sums
// CHECK: scf.forall (%[[LANES:.+]]) = (0) to (64) step (16)
// CHECK: %[[ZERO:.+]] = vector.transfer_read {{.+}} : tensor<16xf32>, vector<16xf32>
// CHECK: %[[SUM:.+]] = scf.for %[[N:.+]] = %c0 to %{{.+}} step %c1 iter_args(%[[ACC:.+]] = %[[ZERO]]) -> (vector<16xf32>)
// CHECK: %[[ROW:.+]] = vector.transfer_read %{{.+}}[%[[N]], %[[LANES]]]{{.*}} : tensor<?x64xf32>, vector<16xf32>
// CHECK: arith.addf %[[ACC]], %[[ROW]] : vector<16xf32>
// CHECK: vector.transfer_write %[[SUM]]
func.func @column_sums(%x: tensor<?x64xf32>) -> tensor<64xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<64xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<64xf32>) -> tensor<64xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(n, c) -> (n, c)>, affine_map<(n, c) -> (c)>], iterator_types = ["reduction", "parallel"]}
      ins(%x : tensor<?x64xf32>) outs(%init : tensor<64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<64xf32>
  return %r : tensor<64xf32>
}

// A row split into lanes, [N, C, L / 16, 16] summed over N and L / 16
// (the first stage of a bias gradient): parallel loops outside, so each
// channel's lanes stay in a register across both reductions.
// CHECK-LABEL: func.func @lane_sums
// CHECK: scf.forall (%[[C0:.+]]) = (0) to (32) step (4)
// CHECK: scf.for %[[C:.+]] = %c0 to %c4 step %c1
// CHECK: %[[INIT:.+]] = vector.transfer_read %{{.+}}[%[[C]], %c0]{{.*}} : tensor<4x16xf32>, vector<16xf32>
// CHECK: scf.for %[[N:.+]] = %c0 to %{{.+}} step %c1 iter_args(%{{.+}} = %[[INIT]]) -> (vector<16xf32>)
// CHECK: scf.for %[[K:.+]] = %c0 to %c49 step %c1 iter_args(%{{.+}}) -> (vector<16xf32>)
// CHECK: vector.transfer_read %{{.+}}[%[[N]], %{{.+}}, %[[K]], %c0]{{.*}} : tensor<?x32x49x16xf32>, vector<16xf32>
// CHECK-NOT: vector.multi_reduction
// CHECK: vector.transfer_write
func.func @lane_sums(%x: tensor<?x32x49x16xf32>) -> tensor<32x16xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<32x16xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<32x16xf32>) -> tensor<32x16xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(n, c, k, l) -> (n, c, k, l)>, affine_map<(n, c, k, l) -> (c, l)>], iterator_types = ["reduction", "parallel", "reduction", "parallel"]}
      ins(%x : tensor<?x32x49x16xf32>) outs(%init : tensor<32x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %o, %a : f32
    linalg.yield %s : f32
  } -> tensor<32x16xf32>
  return %r : tensor<32x16xf32>
}

// A row of a length 16 does not divide (14 x 14 pixels): steps of 16, then
// one step of the 4 left, peeled off and vectorized at its own width.
// CHECK-LABEL: func.func @ragged_rows
// CHECK: scf.for {{.+}} = %c0 to %c192 step %c16
// CHECK: vector.multi_reduction <add>, %{{.+}}, %{{.+}} [1] : vector<1x16xf32> to vector<1xf32>
// CHECK: vector.multi_reduction <add>, %{{.+}}, %{{.+}} [1] : vector<1x4xf32> to vector<1xf32>
func.func @ragged_rows(%x: tensor<?x196xf32>) -> tensor<?xf32> {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x196xf32>
  %empty = tensor.empty(%n) : tensor<?xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<?xf32>) -> tensor<?xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(n, p) -> (n, p)>, affine_map<(n, p) -> (n)>], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<?x196xf32>) outs(%init : tensor<?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %o, %a : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// A weight's gradient reads its left operand transposed (xᵀ · g): each
// reduction step loads 8 rows' values as one vector and splats each across
// the columns, with no transpose in registers.
// CHECK-LABEL: func.func @lhs_transposed
// CHECK: vector.fma
// CHECK-NOT: vector.transpose
// CHECK: return
func.func @lhs_transposed(%x: tensor<?x64xf32>, %g: tensor<?x32xf32>) -> tensor<64x32xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<64x32xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<64x32xf32>) -> tensor<64x32xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (k, m)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %g : tensor<?x64xf32>, tensor<?x32xf32>) outs(%acc : tensor<64x32xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b fastmath<contract> : f32
    %s = arith.addf %c, %p fastmath<contract> : f32
    linalg.yield %s : f32
  } -> tensor<64x32xf32>
  return %r : tensor<64x32xf32>
}

// A reduction along each row (a loss summed per example) runs 16 elements
// of a row per step on vectors.
// CHECK-LABEL: func.func @row_sums
// CHECK: scf.forall
// CHECK: vector.transfer_read {{.+}} vector<16xf32>
// CHECK: math.exp {{.+}} : vector<16xf32>
// CHECK: vector.multi_reduction <add>, %{{.+}} [1] : vector<1x16xf32> to vector<1xf32>
func.func @row_sums(%x: tensor<?x784xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x784xf32>
  %empty = tensor.empty(%n) : tensor<?xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<?xf32>) -> tensor<?xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(n, k) -> (n, k)>, affine_map<(n, k) -> (n)>], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<?x784xf32>) outs(%init : tensor<?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %e = math.exp %a : f32
    %s = arith.addf %e, %o : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// Padding is a fill and a copy into the interior, split across threads
// like any elementwise op, in rows (which kiln-expand-copies later turns
// into vector transfers).
// CHECK-LABEL: func.func @pad
// CHECK-NOT: tensor.pad
// CHECK: %[[FILLED:.+]] = linalg.fill
// CHECK: %[[INTERIOR:.+]] = tensor.extract_slice %[[FILLED]][0, 0, 1, 1] [%{{.+}}, 4, 8, 16]
// CHECK: scf.forall {{.+}} shared_outs(%{{.+}} = %[[INTERIOR]])
// CHECK: tensor.insert_slice {{.+}} [1, 1, 1, 16] [1, 1, 1, 1] : tensor<1x1x1x16xf32> into tensor<1x4x8x16xf32>
// CHECK: tensor.insert_slice %{{.+}} into %[[FILLED]][0, 0, 1, 1]
func.func @pad(%x: tensor<?x4x8x16xf32>) -> tensor<?x4x10x18xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<?x4x8x16xf32> to tensor<?x4x10x18xf32>
  return %p : tensor<?x4x10x18xf32>
}

// A row split across threads: each 16-wide vector is written straight into
// the thread's row, with no 1x16 slice around the write (unit dimensions
// cast away, the write still fills the slice).
// CHECK-LABEL: func.func @rows
// CHECK: scf.forall
// CHECK: scf.for {{.+}} iter_args(%[[ROW:.+]] = %{{.+}}) -> (tensor<1x256xf32>)
// CHECK-NOT: tensor.insert_slice
// CHECK: vector.transfer_write %{{.+}}, %[[ROW]][%{{.+}}, %{{.+}}] {in_bounds = [true]} : vector<16xf32>, tensor<1x256xf32>
// CHECK: tensor.parallel_insert_slice
func.func @rows(%x: tensor<?x256xf32>, %init: tensor<?x256xf32>) -> tensor<?x256xf32> {
  %slope = arith.constant 0.2 : f32
  %zero = arith.constant 0.0 : f32
  %r = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<?x256xf32>) outs(%init : tensor<?x256xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %slope : f32
    %p = arith.cmpf ogt, %a, %zero : f32
    %s = arith.select %p, %a, %m : f32
    linalg.yield %s : f32
  } -> tensor<?x256xf32>
  return %r : tensor<?x256xf32>
}

// A filter's gradient: few rows, a reduction over the batch's pixels.
// Threads take blocks of columns (each reads its columns of the patches
// once), and the reduction runs in blocks of 256 steps that every register
// tile of the block accumulates while they are in cache.
// CHECK-LABEL: func.func @filter_gradient
// CHECK: scf.forall (%[[COL:.+]]) = (0) to (288) step (32)
// CHECK: scf.for %[[K:.+]] = %{{.+}} to %{{.+}} step %c256
// CHECK: scf.for {{.+}} step %c8
// CHECK: scf.for {{.+}} iter_args({{.+}}) -> (vector<8x32xf32>)
// CHECK: vector.fma
func.func @filter_gradient(%g: tensor<64x?xf32>, %patches: tensor<?x288xf32>) -> tensor<64x288xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<64x288xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<64x288xf32>) -> tensor<64x288xf32>
  %r = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%g, %patches : tensor<64x?xf32>, tensor<?x288xf32>) outs(%acc : tensor<64x288xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b fastmath<contract> : f32
    %s = arith.addf %c, %p fastmath<contract> : f32
    linalg.yield %s : f32
  } -> tensor<64x288xf32>
  return %r : tensor<64x288xf32>
}

// A direct convolution (out[n, f, p] += w[f, c, i, j] * in[n, c, p + tap]):
// a thread block per image and 8 filters (a batch of one still keeps both
// threads busy), register tiles of 8 filters x 32 pixels, and the tile
// stays in registers across all three window loops (channels, rows,
// columns of the filter); each step reads 32 contiguous pixels.
#filter = affine_map<(n, f, p, c, i, j) -> (f, c, i, j)>
#tap = affine_map<(n, f, p, c, i, j) -> (n, c, p + i * 16 + j)>
#pixels = affine_map<(n, f, p, c, i, j) -> (n, f, p)>
// CHECK-LABEL: func.func @direct_convolution
// CHECK: scf.forall (%[[N:.+]], %[[F:.+]]) = (0, 0) to (%{{.+}}, 64) step (1, 8)
// CHECK: scf.for %[[P:.+]] = %c0 to %c224 step %c32
// CHECK: %[[TILE:.+]] = vector.transfer_read %{{.+}}[%c0, %c0, %[[P]]]{{.*}} vector<8x32xf32>
// CHECK: scf.for {{.+}} to %c32 step %c1 iter_args(%{{.+}} = %[[TILE]]) -> (vector<8x32xf32>)
// CHECK: scf.for {{.+}} to %c3 step %c1 iter_args({{.+}}) -> (vector<8x32xf32>)
// CHECK: scf.for {{.+}} to %c3 step %c1 iter_args({{.+}}) -> (vector<8x32xf32>)
// CHECK: vector.transfer_read %{{.+}}[%[[N]], %{{.+}}, %{{.+}}]{{.*}} : tensor<?x32x272xf32>, vector<32xf32>
// CHECK: vector.fma {{.*}} : vector<8x32xf32>
// CHECK-NOT: vector.transfer_write
// CHECK: scf.yield
// CHECK: scf.yield
// CHECK: scf.yield
// CHECK: vector.transfer_write
func.func @direct_convolution(%w: tensor<64x32x3x3xf32>, %x: tensor<?x32x272xf32>, %init: tensor<?x64x224xf32>) -> tensor<?x64x224xf32> {
  %r = linalg.generic {indexing_maps = [#filter, #tap, #pixels], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%w, %x : tensor<64x32x3x3xf32>, tensor<?x32x272xf32>) outs(%init : tensor<?x64x224xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b fastmath<contract> : f32
    %s = arith.addf %c, %p fastmath<contract> : f32
    linalg.yield %s : f32
  } -> tensor<?x64x224xf32>
  return %r : tensor<?x64x224xf32>
}

// Pixels that no register tile width divides keep scalar loops (a masked
// tile could not stay in registers), split by image all the same.
#tap36 = affine_map<(n, f, p, c, i, j) -> (n, c, p + i * 9 + j)>
// CHECK-LABEL: func.func @ragged_direct_convolution
// CHECK: scf.forall
// CHECK-NOT: vector.
// CHECK: return
func.func @ragged_direct_convolution(%w: tensor<8x4x3x3xf32>, %x: tensor<?x4x81xf32>, %init: tensor<?x8x60xf32>) -> tensor<?x8x60xf32> {
  %r = linalg.generic {indexing_maps = [#filter, #tap36, #pixels], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%w, %x : tensor<8x4x3x3xf32>, tensor<?x4x81xf32>) outs(%init : tensor<?x8x60xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b fastmath<contract> : f32
    %s = arith.addf %c, %p fastmath<contract> : f32
    linalg.yield %s : f32
  } -> tensor<?x8x60xf32>
  return %r : tensor<?x8x60xf32>
}

// A direct filter gradient: rows of input channels, columns of filters, a
// reduction over every image and pixel. Threads take blocks of a filter
// row and 8 channels; each block goes image by image (its planes and
// output gradient stay in cache) through every register tile, which
// accumulates one image's pixels in registers.
#planes = affine_map<(i, j, c, f, n, p) -> (n, c, p + i * 16 + j)>
#gradient = affine_map<(i, j, c, f, n, p) -> (n, p, f)>
#taps = affine_map<(i, j, c, f, n, p) -> (i, j, c, f)>
// CHECK-LABEL: func.func @filter_gradient_direct
// CHECK: scf.forall (%[[I:.+]], %[[C:.+]]) = (0, 0) to (3, 32) step (1, 8)
// CHECK: scf.for %[[N:.+]] = %c0 to %{{.+}} step %c1
// CHECK: scf.for %[[J:.+]] = %c0 to %c3 step %c1
// CHECK: scf.for %[[F:.+]] = %c0 to %c64 step %c32
// CHECK: %[[TILE:.+]] = vector.transfer_read %{{.+}}[%c0, %[[J]], %c0, %[[F]]]{{.*}} vector<8x32xf32>
// CHECK: scf.for %[[P:.+]] = %c0 to %c224 step %c1 iter_args(%{{.+}} = %[[TILE]]) -> (vector<8x32xf32>)
// CHECK: vector.transfer_read %{{.+}}[%[[N]], %[[P]], %[[F]]]{{.*}} : tensor<?x224x64xf32>, vector<32xf32>
// CHECK: vector.fma
func.func @filter_gradient_direct(%x: tensor<?x32x272xf32>, %g: tensor<?x224x64xf32>, %init: tensor<3x3x32x64xf32>) -> tensor<3x3x32x64xf32> {
  %r = linalg.generic {indexing_maps = [#planes, #gradient, #taps], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %g : tensor<?x32x272xf32>, tensor<?x224x64xf32>) outs(%init : tensor<3x3x32x64xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b fastmath<contract> : f32
    %s = arith.addf %c, %p fastmath<contract> : f32
    linalg.yield %s : f32
  } -> tensor<3x3x32x64xf32>
  return %r : tensor<3x3x32x64xf32>
}

// Rows of 2 (a pooling window's columns, routing its gradient) take the
// loop before them into the tile: 14 x 2 elements are one contiguous run
// of 28, where rows of 2 would waste the vectors.
// CHECK-LABEL: func.func @short_rows
// CHECK: scf.for {{.+}} = %c0 to %c4 step %c1
// CHECK-NOT: scf.for
// CHECK: vector.transfer_read {{.+}} : tensor<?x4x14x2xf32>, vector<14x2xf32>
// CHECK: arith.mulf {{.+}} : vector<14x2xf32>
func.func @short_rows(%x: tensor<?x4x14x2xf32>, %init: tensor<?x4x14x2xf32>) -> tensor<?x4x14x2xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(a, b, c, d) -> (a, b, c, d)>, affine_map<(a, b, c, d) -> (a, b, c, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<?x4x14x2xf32>) outs(%init : tensor<?x4x14x2xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %a : f32
    linalg.yield %m : f32
  } -> tensor<?x4x14x2xf32>
  return %r : tensor<?x4x14x2xf32>
}
