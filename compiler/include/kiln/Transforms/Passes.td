//===- Passes.td - Kiln compiler passes ----------------------*- tablegen -*-===//
//
// Every pass of the Kiln compiler, grouped by stage, alphabetical within a
// group.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRANSFORMS_PASSES_TD
#define KILN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Shape passes
//===----------------------------------------------------------------------===//

def KilnInferShapes : Pass<"kiln-infer-shapes", "mlir::ModuleOp"> {
  let summary = "Refine result types from the kiln ops' type inference";
  let description = [{
    Kiln ops may carry result types less static than their inference finds
    (a `?` where the size is known), for instance after a function argument
    was specialized. This pass walks each function in program order,
    re-infers every kiln op's results, and replaces each dynamic size it can
    prove. Uses by ops outside the kiln dialect keep their old type through a
    `tensor.cast`. A function that nothing calls also gets its result types
    refined.

    Before:
    ```mlir
    func.func @f(%x: tensor<8x4xf32>) -> tensor<?x4xf32> {
      %0 = kiln.relu %x : tensor<8x4xf32>
      %1 = kiln.add %0, %0 : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<?x4xf32>
      return %1 : tensor<?x4xf32>
    }
    ```
    After:
    ```mlir
    func.func @f(%x: tensor<8x4xf32>) -> tensor<8x4xf32> {
      %0 = kiln.relu %x : tensor<8x4xf32>
      %1 = kiln.add %0, %0 : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
      return %1 : tensor<8x4xf32>
    }
    ```
  }];
  let dependentDialects = ["mlir::tensor::TensorDialect"];
}

def KilnSpecializeBatch : Pass<"kiln-specialize-batch", "mlir::ModuleOp"> {
  let summary = "Fix the dynamic batch size of entry inputs";
  let description = [{
    Sets the dynamic leading dimension of every `kiln.input` argument of
    every entry function to `batch`, then refines the types that follow from
    it (as `kiln-infer-shapes` does). Useful to compile a module for one
    known batch size, or to see the shapes a batch produces.

    Before (`--kiln-specialize-batch=batch=64`):
    ```mlir
    func.func @infer(%x: tensor<?x784xf32> {kiln.input = "x"}) -> tensor<?x784xf32>
        attributes {kiln.entry = #kiln.entry<infer>} {
      %0 = kiln.relu %x : tensor<?x784xf32>
      return %0 : tensor<?x784xf32>
    }
    ```
    After:
    ```mlir
    func.func @infer(%x: tensor<64x784xf32> {kiln.input = "x"}) -> tensor<64x784xf32>
        attributes {kiln.entry = #kiln.entry<infer>} {
      %0 = kiln.relu %x : tensor<64x784xf32>
      return %0 : tensor<64x784xf32>
    }
    ```
  }];
  let options = [
    Option<"batch", "batch", "int64_t", /*default=*/"1",
           "The batch size to fix (at least 1)">
  ];
  let dependentDialects = ["mlir::tensor::TensorDialect"];
}

//===----------------------------------------------------------------------===//
// Lowering to linalg, one pass per op family
//===----------------------------------------------------------------------===//

defvar KilnLoweringDialects = [
  "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
  "mlir::math::MathDialect", "mlir::tensor::TensorDialect",
  "mlir::scf::SCFDialect"
];

def KilnLowerContractions : Pass<"kiln-lower-contractions"> {
  let summary = "Lower kiln.matmul and kiln.dense to linalg contractions";
  let description = [{
    `kiln.matmul` becomes one `linalg.generic` contraction whose maps encode
    the transposes and the broadcast batch dimensions. `kiln.dense` computes
    `input · weightᵀ` over the input's leading dimensions collapsed into one,
    accumulating into the bias broadcast over the rows. With 8 rows or more
    the weight is transposed and multiplied as a matrix (register tiling
    wants contiguous rows of both operands); with fewer (a small batch,
    often only known when the entry runs, hence an `scf.if`) it is read
    where it lies as dot products: K is split into [K/16, 16] and each
    output keeps 16 partial sums, added up at the end. A batch-1 layer then
    reads its weight once instead of three times.

    Before:
    ```mlir
    %y = kiln.dense %x, %w, %b : (tensor<?x784xf32>, tensor<128x784xf32>, tensor<128xf32>) -> tensor<?x128xf32>
    ```
    After (abridged):
    ```mlir
    %init = linalg.generic {...} ins(%b) outs(%e)              // broadcast bias
    %y = scf.if %fewer_than_8_rows -> (tensor<?x128xf32>) {
      %xs = tensor.expand_shape %x ... into tensor<?x49x16xf32>
      %ws = tensor.expand_shape %w ... into tensor<128x49x16xf32>
      %p = linalg.generic {                                    // partial sums
          indexing_maps = [(m, n, l, s) -> (m, s, l), (m, n, l, s) -> (n, s, l),
                           (m, n, l, s) -> (m, n, l)], ...} ins(%xs, %ws)
      %sums = linalg.generic {...} ins(%p) outs(%init)         // add the 16 sums
      scf.yield %sums
    } else {
      %wt = linalg.transpose ins(%w) ... permutation = [1, 0]
      %prod = linalg.generic {
          indexing_maps = [(m, n, k) -> (m, k), (m, n, k) -> (k, n), (m, n, k) -> (m, n)],
          iterator_types = ["parallel", "parallel", "reduction"]}
          ins(%x, %wt) outs(%init) { mulf; addf }
      scf.yield %prod
    }
    ```
  }];
  let dependentDialects = KilnLoweringDialects;
}

def KilnLowerConv : Pass<"kiln-lower-conv"> {
  let summary = "Lower convolution, pooling and resampling to linalg";
  let description = [{
    A `conv2d` that `kiln-layout` put in the planes layout (unit stride,
    no groups) is computed on the zero-padded input planes in place: each plane flattened to rows of its padded width `Wp`, output
    pixel `p = oh * Wp + ow` reads filter tap `(i, j)` at
    `p + i * d * Wp + j * d`, so the convolution is one contraction
    `out[n, f, p] += w[f, c, i, j] * planes[n, c, p + tap]` over the window
    loops `(c, i, j)`. It also computes the `Wp - OW` columns past each row
    (and the pixels up to a whole tile of 32, with rows of padding below so
    that every read stays inside), which are sliced off; the sum starts from
    zeros and the bias is added to the valid pixels, an elementwise op that
    fuses with the activation. No patch matrix is written and read back, and
    neither input nor output is transposed. Any other `conv2d` is a matrix
    product (im2col): a generic gathers the patches as rows
    `[N, OH*OW, C*KH*KW]` from the channels-last input, a contraction
    multiplies them by the filter as `[C*KH*KW, F]` into the bias, and the
    pixel-major result is transposed back to NCHW. With groups it becomes
    `linalg.conv_2d_ngchw_fgchw`. `conv_transpose2d` spreads the input by the
    stride, pads it by `dilation * (k - 1) - padding`, and convolves (with a
    unit stride, so in the planes layout when marked) with the transposed,
    spatially flipped filter.
    Max pooling whose windows tile the input is the maximum of one strided
    slice per tap; other pooling uses `linalg.pooling_nchw_max`/`_sum` over
    inputs padded with the reduction's identity; `avg_pool2d` divides by the
    window size (or by the count of real pixels when padding is excluded).
    `global_avg_pool2d` is a mean over H and W; `upsample_nearest2d` a
    generic reading `(h floordiv s, w floordiv s)`.

    Before:
    ```mlir
    %y = kiln.conv2d %x, %w, %b {padding = array<i64: 1, 1>}
        : (tensor<?x1x28x28xf32>, tensor<32x1x3x3xf32>, tensor<32xf32>) -> tensor<?x32x28x28xf32>
    ```
    After (abridged; 28 rows of 30 = 840 pixels, rounded up to 864):
    ```mlir
    %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 2, 1] { yield %zero }
    %planes = tensor.collapse_shape %p [[0], [1], [2, 3]] : ... into tensor<?x1x930xf32>
    %wide = linalg.generic {(n, f, p, c, i, j): w(f, c, i, j) * planes(n, c, p + i * 30 + j)}
        ins(%w, %planes) outs(%zeros : tensor<?x32x864xf32>)
    %rows = tensor.extract_slice %wide[0, 0, 0] [%n, 32, 840] [1, 1, 1]
    %grid = tensor.expand_shape %rows [[0], [1], [2, 3]] ... into tensor<?x32x28x30xf32>
    %valid = tensor.extract_slice %grid[0, 0, 0, 0] [%n, 32, 28, 28] [1, 1, 1, 1]
    %y = linalg.generic {...} ins(%valid, %b) { addf }
    ```
  }];
  let dependentDialects = KilnLoweringDialects;
}

def KilnLowerElementwise : Pass<"kiln-lower-elementwise"> {
  let summary = "Lower elementwise kiln ops to linalg.generic";
  let description = [{
    Unary math, activations, broadcasting binary ops, comparisons,
    selection and casts become `linalg.generic` ops whose indexing maps
    express the broadcasting (a size-1 operand dimension reads index 0);
    the scalar body uses `arith` and `math`. Constants become
    `arith.constant`, the fill ops `linalg.fill`, and `stop_gradient` its
    operand. Other ops are left alone.

    Before:
    ```mlir
    %0 = kiln.add %x, %b : (tensor<?x10xf32>, tensor<10xf32>) -> tensor<?x10xf32>
    ```
    After:
    ```mlir
    %c0 = arith.constant 0 : index
    %dim = tensor.dim %x, %c0 : tensor<?x10xf32>
    %e = tensor.empty(%dim) : tensor<?x10xf32>
    %0 = linalg.generic {
        indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>,
                         affine_map<(d0, d1) -> (d1)>,
                         affine_map<(d0, d1) -> (d0, d1)>],
        iterator_types = ["parallel", "parallel"]}
        ins(%x, %b : tensor<?x10xf32>, tensor<10xf32>) outs(%e : tensor<?x10xf32>) {
    ^bb0(%in: f32, %in_0: f32, %out: f32):
      %1 = arith.addf %in, %in_0 : f32
      linalg.yield %1 : f32
    } -> tensor<?x10xf32>
    ```
  }];
  let dependentDialects = KilnLoweringDialects;
}

def KilnLowerLosses : Pass<"kiln-lower-losses"> {
  let summary = "Lower loss functions to linalg";
  let description = [{
    Each loss becomes a `linalg.generic` for its per-element or per-sample
    terms, then the `mean`/`sum` reduction (none for `reduction = none`).
    Class losses pick `input[n, labels[n]]` with `tensor.extract` inside a
    generic over the samples; softmax cross-entropy uses a stable
    logsumexp.

    Before:
    ```mlir
    %l = kiln.mse %p, %t : (tensor<?x784xf32>, tensor<?x784xf32>) -> tensor<f32>
    ```
    After (abridged):
    ```mlir
    %sq = linalg.generic {...} ins(%p, %t) outs(%e) { subf; mulf }
    %sum = linalg.generic {..., iterator_types = ["reduction", "reduction"]} ins(%sq) outs(%zero)
    %l = linalg.generic {...} ins(%sum) outs(%e0) { divf %s, %count }
    ```
  }];
  let dependentDialects = KilnLoweringDialects;
}

def KilnLowerNorm : Pass<"kiln-lower-norm"> {
  let summary = "Lower batch and layer normalisation to linalg";
  let description = [{
    Normalisation computes the mean and the biased variance with
    reductions, then one `linalg.generic` normalises, scales and shifts.
    `batch_norm` in training form also returns the running statistics
    updated as PyTorch does; in inference form it normalises with them and
    returns them unchanged.

    Before:
    ```mlir
    %y = kiln.layer_norm %x, %g, %b : (tensor<?x10x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x10x64xf32>
    ```
    After (abridged):
    ```mlir
    %mean = ... sum over d2 / 64
    %var  = ... sum over d2 of (x - mean)^2 / 64
    %y = linalg.generic ins(%x, %mean, %var, %g, %b) { (x - m) * rsqrt(v + eps) * g + b }
    ```
  }];
  let dependentDialects = KilnLoweringDialects;
}

def KilnLowerRandom : Pass<"kiln-lower-random"> {
  let summary = "Lower random ops and dropout to Philox in linalg.generic";
  let description = [{
    Each element's random bits are Philox 4x32-10 of the counter (element
    index, stream, step) under the key's seed, computed in the body of a
    `linalg.generic` with `arith.mului_extended`. Uniforms use the top 24
    bits, normals Box-Muller; `bernoulli` and `dropout` compare a uniform
    with the probability. The generator matches the runtime's.

    Before:
    ```mlir
    %e = kiln.random_normal %key, %mu {stream = 0 : i64} : (tensor<2xi64>, tensor<?x20xf32>) -> tensor<?x20xf32>
    ```
    After (abridged):
    ```mlir
    %seed = tensor.extract %key[%c0] ...
    %e = linalg.generic {...} outs(%empty) {
      %i = linalg.index ...          // linear element index
      ... 10 Philox rounds ...
      ... sqrt(-2 log u1) * cos(2 pi u2) ...
    }
    ```
  }];
  let dependentDialects = KilnLoweringDialects;
}

def KilnLowerRecurrent : Pass<"kiln-lower-recurrent"> {
  let summary = "Lower RNN, GRU and LSTM layers to loops over time";
  let description = [{
    Per direction, the input projection of every time step is one large
    contraction hoisted out of the loop (`x · w_ihᵀ` plus the biases); an
    `scf.for` over time then computes `h · w_hhᵀ` and the gate arithmetic in
    one `linalg.generic` (gates read through offset indexing maps), and
    inserts each step's hidden state into the output sequence. Direction 1
    runs from the last step to the first. Gate order follows PyTorch.

    Before:
    ```mlir
    %seq, %h, %c = kiln.lstm %x, %wi, %wh, %bi, %bh
        : (...) -> (tensor<?x28x128xf32>, tensor<1x?x128xf32>, tensor<1x?x128xf32>)
    ```
    After (abridged):
    ```mlir
    %xp = linalg.generic {contraction} ins(%x_flat, %wi0) outs(%bias_rows)   // [N*T, 512]
    %r:3 = scf.for %t = %c0 to %T step %c1 iter_args(%h, %c, %out) {
      %hp = linalg.generic {contraction} ins(%h, %wh0) outs(%zeros)         // [N, 512]
      %new:2 = linalg.generic {gates} ins(%xt, ..., %hp, ..., %c) outs(...)  // h', c'
      %o = tensor.insert_slice %new#0 into %out[0, %t, 0] [%N, 1, 128] [1, 1, 1]
      scf.yield %new#0, %new#1, %o
    }
    ```
  }];
  let dependentDialects = KilnLoweringDialects;
}

def KilnLowerReductions : Pass<"kiln-lower-reductions"> {
  let summary = "Lower reductions and softmax to linalg";
  let description = [{
    `sum`, `mean`, `max`, `min`, `logsumexp`, `argmax`, `argmin`, `softmax`
    and `log_softmax` become `linalg.generic` ops with reduction iterators;
    `keepdims` is a `tensor.expand_shape` of the result. Softmax-like ops
    subtract the maximum along the axis before exponentiating.

    Before:
    ```mlir
    %s = kiln.sum %x {axes = array<i64: 1>} : (tensor<?x10xf32>) -> tensor<?xf32>
    ```
    After:
    ```mlir
    %zero = linalg.fill ins(%cst) outs(%e : tensor<?xf32>)
    %s = linalg.generic {
        indexing_maps = [(d0, d1) -> (d0, d1), (d0, d1) -> (d0)],
        iterator_types = ["parallel", "reduction"]}
        ins(%x) outs(%zero) { addf }
    ```
  }];
  let dependentDialects = KilnLoweringDialects;
}

//===----------------------------------------------------------------------===//
// Code generation
//===----------------------------------------------------------------------===//

def KilnApproximateMath : Pass<"kiln-approximate-math"> {
  let summary = "Approximate f32 transcendental functions with polynomials";
  let description = [{
    Rewrites `math.exp`, `expm1`, `log`, `log1p`, `log2`, `tanh`, `erf`,
    `sin` and `cos` on f32 (scalars and vectors) into MLIR's polynomial
    approximations, accurate to a few ULP. They vectorize, and the compiled
    module does not call libm for them. Other types are left alone, and so
    is `math.rsqrt`: upstream's approximation of it emits AVX intrinsics
    (`x86vector`) for 8-lane vectors, which would tie the module to AVX;
    LLVM lowers it to a vector square root and division instead.

    Before:
    ```mlir
    %y = math.tanh %x : vector<16xf32>
    ```
    After: a clamped rational polynomial in `%x` built from `arith` ops.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::math::MathDialect"];
}

def KilnLowerScalarTransfers
    : Pass<"kiln-lower-scalar-transfers", "mlir::func::FuncOp"> {
  let summary = "Lower one-element vector transfers to scalar loads and stores";
  let description = [{
    A vector of one element (`vector<f32>`, `vector<1x1xf32>`) read or
    written through a memref whose innermost stride is not 1 (the cropped
    view a transposed convolution with wide padding writes through) is
    lowered neither by `convert-vector-to-scf` nor by
    `convert-vector-to-llvm`. Runs upstream's scalar transfer patterns
    before them.

    Before:
    ```mlir
    %v = vector.transfer_read %m[%i, %j], %pad
        : memref<?x3xf32, strided<[9, 3]>>, vector<f32>
    ```
    After:
    ```mlir
    %s = memref.load %m[%i, %j] : memref<?x3xf32, strided<[9, 3]>>
    %v = vector.broadcast %s : f32 to vector<f32>
    ```
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect",
                           "mlir::vector::VectorDialect"];
}

def KilnMathToLibm : Pass<"kiln-math-to-libm", "mlir::ModuleOp"> {
  let summary = "Call the C library for math functions LLVM cannot lower";
  let description = [{
    Turns f64 `math.erf` and `math.erfc` (scalars and vectors, lane by
    lane) into calls to the C library's `erf` and `erfc`: LLVM has no
    intrinsic for them, and `kiln-approximate-math` approximates f32 only.
    Every other math op is left for `convert-to-llvm`.

    Before:
    ```mlir
    %y = math.erf %x : f64
    ```
    After:
    ```mlir
    func.func private @erf(f64) -> f64 attributes {llvm.readnone}
    %y = call @erf(%x) : (f64) -> f64
    ```
  }];
  let dependentDialects = ["mlir::func::FuncDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::arith::ArithDialect"];
}

def KilnEmitEntryAbi : Pass<"kiln-emit-entry-abi", "mlir::ModuleOp"> {
  let summary = "Give every entry the uniform `void(void **)` ABI";
  let description = [{
    For every C interface `_mlir_ciface_<name>` of the lowered module, adds
    `llvm.func @kiln_entry_<name>(%args: !llvm.ptr)`, which loads the
    interface's pointer arguments from the array `%args` and calls it. The
    runtime calls every entry this way.

    Before:
    ```mlir
    llvm.func @_mlir_ciface_infer(%res: !llvm.ptr, %x: !llvm.ptr) { ... }
    ```
    After, in addition:
    ```mlir
    llvm.func @kiln_entry_infer(%args: !llvm.ptr) {
      %0 = llvm.getelementptr %args[0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
      %1 = llvm.load %0 : !llvm.ptr -> !llvm.ptr
      %2 = llvm.getelementptr %args[1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
      %3 = llvm.load %2 : !llvm.ptr -> !llvm.ptr
      llvm.call @_mlir_ciface_infer(%1, %3) : (!llvm.ptr, !llvm.ptr) -> ()
      llvm.return
    }
    ```
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def KilnExpandCopies : Pass<"kiln-expand-copies"> {
  let summary = "Rewrite memref.copy as linalg.copy";
  let description = [{
    A `memref.copy` between strided buffers lowers to a call into MLIR's C
    runner library, which compiled modules do not link. As `linalg.copy` it
    becomes ordinary loops.

    Before:
    ```mlir
    memref.copy %a, %b : memref<4x4xf32, strided<[8, 1]>> to memref<4x4xf32>
    ```
    After:
    ```mlir
    linalg.copy ins(%a : memref<4x4xf32, strided<[8, 1]>>) outs(%b : memref<4x4xf32>)
    ```
    A small static copy whose rows are contiguous on both sides (at most
    16 rows of at most 256 elements: an image-to-column tile, one pixel's
    channels) becomes a vector transfer instead, so that it is copied by
    vector loads and stores rather than element by element through strides
    LLVM cannot prove to be unit:
    ```mlir
    %v = vector.transfer_read %a[%c0, %c0], %poison {in_bounds = [true, true]}
        : memref<4x4xf32, strided<[8, 1]>>, vector<4x4xf32>
    vector.transfer_write %v, %b[%c0, %c0] {in_bounds = [true, true]}
        : vector<4x4xf32>, memref<4x4xf32>
    ```
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::ub::UBDialect"];
}

def KilnLayout : Pass<"kiln-layout"> {
  let summary = "Choose the data layout each convolution is computed in";
  let description = [{
    Runs on the kiln dialect, after autodiff and before lowering. Marks
    each convolution that the padded NCHW planes suit (`kiln.conv2d` with
    unit stride, `kiln.conv_transpose2d`, whose convolution of the
    stride-spread input has unit stride, and `kiln.conv2d_filter_grad`
    with unit stride; no groups) with `kiln.layout = "planes"`:
    `kiln-lower-conv` and `kiln-lower-conv-gradients` then compute it on
    the input planes read in place, flattened to rows of the padded width,
    with neither input nor output transposed (the lowering still checks
    that the shapes are static and, for a filter gradient, that the
    channels fill register tiles). Unmarked convolutions are image-to-column
    products over a channels-last copy of the input, the layout for strided
    and grouped ones. `kilnc --layout=false` leaves the pass out, to
    measure its effect.

    Before:
    ```mlir
    %y = kiln.conv2d %x, %w, %b {padding = array<i64: 1, 1>} : ...
    %z = kiln.conv2d %y, %v {stride = array<i64: 2, 2>} : ...
    ```
    After:
    ```mlir
    %y = kiln.conv2d %x, %w, %b {kiln.layout = "planes", padding = array<i64: 1, 1>} : ...
    %z = kiln.conv2d %y, %v {stride = array<i64: 2, 2>} : ...
    ```
  }];
}

def KilnFuseElementwise : Pass<"kiln-fuse-elementwise"> {
  let summary = "Fuse chains of elementwise linalg ops into one loop nest";
  let description = [{
    Runs on linalg on tensors, before `kiln-vectorize`. An elementwise
    `linalg.generic` (all loops parallel, plain arithmetic) is fused into
    the generic that consumes it, so a chain (bias-add, activation, the
    activation's mask in the backward pass, the optimizer's arithmetic, a
    transpose or broadcast feeding them) becomes one loop nest that reads
    its inputs once and keeps intermediate values in registers.

    Not fused, on purpose: producers with several users (each would
    recompute them), unless they only move data (broadcasts, transposes);
    producers that read at computed indices (gathers: the fused op could not
    be vectorized); and anything into a contraction, whose multiply-add body
    the register-tiled schedule relies on. `kilnc --fuse=false` leaves the
    pass out, to measure its effect.

    Before:
    ```mlir
    %sum = linalg.generic {...} ins(%x, %b : ...) outs(%e0 : ...) { addf }
    %act = linalg.generic {...} ins(%sum : ...) outs(%e1 : ...) { maximumf }
    ```
    After:
    ```mlir
    %act = linalg.generic {...} ins(%x, %b : ...) outs(%e1 : ...) { addf; maximumf }
    ```
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def KilnVectorize : Pass<"kiln-vectorize", "mlir::func::FuncOp"> {
  let summary = "Tile and vectorize linalg ops with per-op schedules";
  let description = [{
    Runs on tensors after lowering (where convolutions are already
    matrix products or direct convolutions). Contractions are tiled 8 rows x
    up to 32 columns x 1 reduction step; the rows left after full tiles are
    peeled and done one at a time, so nothing needs masks, and the
    accumulator tile is hoisted out of the reduction loop, leaving
    broadcast-multiply-adds on registers. Direct convolutions (contractions
    reading an operand through window expressions, with several reduction
    loops) get the same register tiles, 8 filters (or input channels) x 32
    pixels (or filters), and the tile stays in registers across all their
    reduction loops. Elementwise generics (also with several results, as the
    optimizer's update of a parameter and its state) are vectorized along
    the last dimension: whole rows up to 32 wide, else 16 or 8 lanes
    dividing the row; rows of 2 to 4 take the loop before them into the
    tile. Reductions along the last loop only (a loss summed per example)
    run one row at a time, 16 (or 8) elements per step on vectors, the
    ragged end peeled off. Reductions that keep their last loop (a sum over
    the batch, a row split into lanes) accumulate a vector of lanes in
    registers across all reduction loops. Ops that read or write masks
    (`i1`) keep scalar loops: LLVM stores a vector of `i1` as packed bits, a
    buffer of `i1` holds bytes.

    The vectors are written straight into the block's rows (no one-row
    slice around each write), and accumulators are hoisted by matching the
    read and write this pass emits: both keep the work of bufferization and
    of the pass itself small (upstream's subset hoisting and the
    bufferization analysis of those slices prove the same facts with
    Presburger arithmetic, which was a third of a GAN's compile time).

    Before that, each op is split into blocks for threads, as an
    `scf.forall` (which `kiln-outline-parallel-loops` later hands to the
    runtime's pool): direct convolutions by image and by blocks of 8
    filters (a 2-d block grid, so a batch of one keeps all threads busy),
    a filter gradient by filter row and blocks of 8 channels, each block
    going image by image; other contractions by their first batch
    dimension, else by
    blocks of column tiles when a row is at least 64K multiply-adds (a
    batch-1 dense layer), else by blocks of 64 rows (a convolution's
    batch x pixels), else, for a few rows and a reduction over the batch (a
    filter's gradient), by column tiles, so that each block reads its
    columns of the patches once, else by blocks of 8-row register tiles;
    a reduction over the batch then runs in blocks of 256 steps that every
    register tile of the block accumulates while they are in cache;
    elementwise ops by their outermost dimension; pooling by image. Every other op (no
    vector schedule: padding, reductions over the batch, ops reading at
    computed indices) keeps scalar loops but is split too, by its first
    parallel dimension that all operands index plainly, in about 8 blocks,
    so that no op leaves the other cores idle. A `tensor.pad` by a constant
    becomes a `linalg.fill` and a copy generic into the interior slice, so
    that it is split and copied in rows too. A `linalg.fill` that initializes a
    result is fused into the blocks. Dynamic dimensions are split too: one
    block costs a single indirect call.

    Before:
    ```mlir
    %c = linalg.generic {matmul maps, ["parallel", "parallel", "reduction"]}
        ins(%a, %b : tensor<?x784xf32>, tensor<784x256xf32>) outs(%init : tensor<?x256xf32>)
    ```
    After (main row loop of one block of 32 columns):
    ```mlir
    scf.for %i = %c0 to %rows step %c8 {
      scf.for %j = %c0 to %c256 step %c32 {
        %acc = vector.transfer_read %init[%i, %j] : vector<8x32xf32>
        %r = scf.for %k = %c0 to %c784 step %c1 iter_args(%v = %acc) {
          %x = vector.transfer_read %a[%i, %k] ... : vector<8x32x1xf32>   // broadcast
          %y = vector.transfer_read %b[%k, %j] ... : vector<8x32x1xf32>
          ... %v + %x * %y ...
        }
        vector.transfer_write %r, ...
      }
    }
    ```
  }];
  let dependentDialects = ["mlir::vector::VectorDialect",
                           "mlir::scf::SCFDialect", "mlir::affine::AffineDialect"];
}

def KilnOutlineParallelLoops
    : Pass<"kiln-outline-parallel-loops", "mlir::ModuleOp"> {
  let summary = "Run parallel loops on the runtime's thread pool";
  let description = [{
    Turns each outermost `scf.parallel` (on buffers; one over several
    dimensions is first collapsed into one, whose body recovers each index)
    into an internal function that runs a range of its iterations, and a
    call to
    the runtime's `kiln_rt_parallel_for(count, body, closure, work, site)`,
    which splits `[0, count)` over its threads, or runs it on the caller when
    `count x work` is small: `work` is the pass's estimate of the scalar
    operations of one iteration (arithmetic, vector and memory ops times
    their lanes and the known trip counts of the loops around them). The
    values the loop uses from outside are passed in a closure on the
    stack, memrefs as LLVM descriptors. `site` is a constant string naming
    the loop for the runtime's profile (`kiln-run bench --profile`): the
    innermost source position of the loop's location and what its code is
    (`contraction`, `pooling`, `vector loops`, `scalar loops`).
    Generated code therefore needs no OpenMP or async runtime.

    Before:
    ```mlir
    scf.parallel (%i) = (%c0) to (%c64) step (%c8) {
      ... %buf ...
    }
    ```
    After:
    ```mlir
    llvm.call @kiln_rt_parallel_for(%count, %body, %closure, %work, %site)
    llvm.func internal @f_parallel_0(%begin: i64, %end: i64, %closure: !llvm.ptr) {
      scf.for %k = %begin to %end step %c1 { ... %c0 + %k * %c8 ... }
    }
    ```
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect",
                           "mlir::arith::ArithDialect", "mlir::scf::SCFDialect"];
}

def KilnAutodiff : Pass<"kiln-autodiff", "mlir::ModuleOp"> {
  let summary = "Differentiate train entries and append the optimizer step";
  let description = [{
    For every train entry (a function with `kiln.optimizer`): marks the
    values that depend on the parameters it trains (not buffers; only its
    `kiln.group` if it names one), propagates the loss's gradient backwards
    through them with each op's `DifferentiableOpInterface` rule (summing
    at fan-out; integer values, random samples and `kiln.stop_gradient`
    carry none), clips the gradients by their global L2 norm when the
    optimizer has `clip_norm`, and applies one `kiln.optimizer_update` per
    parameter. The entry gains the arguments `kiln.learning_rate`
    (`tensor<f32>`), `kiln.step` (`tensor<i64>`, 1-based) and one per
    optimizer state slot (`kiln.state`, `kiln.state_of`), and returns the
    new parameters (`kiln.update`) and state (`kiln.state_update`, the
    index of the state's argument). An op on the path from the parameters
    to the loss without a gradient rule is an error naming the op.

    Before:
    ```mlir
    func.func @step(%x: tensor<?x4xf32> {kiln.input = "x"},
                    %w: tensor<3x4xf32> {kiln.param = @w}) -> (tensor<f32> {kiln.output = "loss"})
        attributes {kiln.entry = #kiln.entry<train>,
                    kiln.optimizer = #kiln.optimizer<sgd, {lr = 0.1 : f64}>} {
      %y = kiln.dense %x, %w : (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<?x3xf32>
      %l = kiln.mean %y : (tensor<?x3xf32>) -> tensor<f32>
      return %l : tensor<f32>
    }
    ```
    After (in part):
    ```mlir
    func.func @step(..., %lr: tensor<f32> {kiln.learning_rate}, %t: tensor<i64> {kiln.step})
        -> (tensor<f32> {kiln.output = "loss"}, tensor<3x4xf32> {kiln.update = @w}) {
      ...
      %dy = kiln.expand_reduced %one, %y {mean} : (tensor<f32>, tensor<?x3xf32>) -> tensor<?x3xf32>
      %dw = kiln.matmul %dy, %x {transpose_lhs = true} : ...
      %w2 = kiln.optimizer_update %w, %dw, %lr, %t {optimizer = ...} : ...
      return %l, %w2 : tensor<f32>, tensor<3x4xf32>
    }
    ```
  }];
  let dependentDialects = ["::kiln::KilnDialect"];
}

def KilnStripModel : Pass<"kiln-strip-model", "mlir::ModuleOp"> {
  let summary = "Drop the model structure before code generation";
  let description = [{
    Erases `kiln.param` symbols and every `kiln.*` attribute of functions,
    arguments and results (the module summary in the `.kmod` keeps them),
    marks entries `llvm.emit_c_interface` with arguments that bufferization
    must not write (`bufferization.writable = false`: the runtime's
    buffers) except the parameters and optimizer state that a result
    updates: those are writable, and the result is marked
    `kiln.writes_argument = N` for `kiln-write-updates-in-place`. Other
    functions become private.

    Before:
    ```mlir
    kiln.param @w : tensor<4xf32> = zeros
    func.func @infer(%w: tensor<4xf32> {kiln.param = @w}) -> (tensor<4xf32> {kiln.output = "y"})
        attributes {kiln.entry = #kiln.entry<infer>} { ... }
    ```
    After:
    ```mlir
    func.func @infer(%w: tensor<4xf32> {bufferization.writable = false}) -> tensor<4xf32>
        attributes {llvm.emit_c_interface} { ... }
    ```
  }];
}

def KilnWriteUpdatesInPlace
    : Pass<"kiln-write-updates-in-place", "mlir::ModuleOp"> {
  let summary = "Write updated parameters and state into their arguments";
  let description = [{
    Runs after bufferization. A result marked `kiln.writes_argument = N`
    (by `kiln-strip-model`) is removed from its function: when bufferization
    computed it in argument `N`'s buffer, as it does for the optimizer's
    loops, which read and write their outputs, nothing is left to do;
    otherwise its buffer is copied into the argument. Either way, a train
    step allocates and returns no parameter or optimizer state, and the
    runtime (which knows these results from the module summary) expects
    only outputs back.

    Before:
    ```mlir
    func.func @step(%w: memref<4xf32>, %g: memref<4xf32>)
        -> (memref<4xf32> {kiln.writes_argument = 0 : i64}) {
      ... writes %w ...
      return %w : memref<4xf32>
    }
    ```
    After:
    ```mlir
    func.func @step(%w: memref<4xf32>, %g: memref<4xf32>) {
      ... writes %w ...
      return
    }
    ```
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def KilnLowerOptimizers : Pass<"kiln-lower-optimizers"> {
  let summary = "Lower optimizer updates to one loop per parameter";
  let description = [{
    Each `kiln.optimizer_update` becomes one `linalg.generic` over the
    parameter that reads it, its gradient and its state and writes their new
    values, with PyTorch's formulas (SGD with momentum and Nesterov, Adam,
    AdamW's decoupled weight decay, RMSProp with momentum). The learning
    rate, Adam's bias corrections `1 - beta^step` and AdamW's decay factor
    are computed once per step outside the loop.

    Before:
    ```mlir
    %w2, %m2 = kiln.optimizer_update %w, %dw, %lr, %t, %m
        {optimizer = #kiln.optimizer<sgd, {momentum = 0.9 : f64}>} : ...
    ```
    After: one `linalg.generic` with the inputs `%w, %dw, %m` and two
    outputs.
  }];
  let dependentDialects = KilnLoweringDialects;
}

def KilnLowerConvGradients : Pass<"kiln-lower-conv-gradients"> {
  let summary = "Lower the convolution family's backward ops to linalg";
  let description = [{
    `kiln.conv2d_filter_grad` in the planes layout (`kiln-layout`), over
    channels in whole register tiles (a multiple of 8), reads the padded
    input planes in place, as the forward convolution does:
    `dw[i, j, c, f] += planes[n, c, p + tap] * dy[n, p, f]`, summed over
    every image and pixel, with the output gradient channels-last and zero
    in the columns past each row; the result `[KH, KW, C, F]` is transposed
    to the filter. Otherwise it is one contraction of the output gradient
    `[F, N*OH*OW]` with the input's im2col patches `[N*OH*OW, KH*KW*C]`,
    reshaped to `[F, C, KH, KW]`. `kiln.max_pool2d_grad` becomes two
    generics: each window's first maximum (as an offset in the window), then
    every input position summing, over the windows it lies in (one per
    tap), the gradients of those it is the maximum of; when the windows
    tile the input both are elementwise (over one strided slice per tap, and over the input seen as
    `[N, C, OH, KH, OW, KW]`).
  }];
  let dependentDialects = KilnLoweringDialects;
}

def KilnLowerRecurrentGradients : Pass<"kiln-lower-recurrent-gradients"> {
  let summary = "Lower backpropagation through time to a reverse loop";
  let description = [{
    `kiln.recurrent_grad` becomes, per direction: the previous hidden state
    of every step (the forward output shifted by one step) and the gate
    pre-activations of all steps as two contractions; for an LSTM an
    elementwise scan recomputing the cell states; an `scf.for` running
    backwards through time whose body turns the carried state gradient into
    the step's gate gradients in one `linalg.generic` and carries it to the
    previous step through `w_hh`; and the input, weight and bias gradients
    as contractions and sums over all steps.
  }];
  let dependentDialects = KilnLoweringDialects;
}

def KilnLowerShape : Pass<"kiln-lower-shape"> {
  let summary = "Lower shape and data-movement ops to tensor and linalg";
  let description = [{
    `reshape` becomes a `tensor.collapse_shape` to one dimension and a
    `tensor.expand_shape` to the target (-1 is the element count divided by
    the other sizes, computed at run time), `flatten` a
    `tensor.collapse_shape`, `transpose` a `linalg.transpose`, `broadcast_to`
    and `one_hot` generics, `concat` `tensor.insert_slice` ops into an empty
    tensor, `slice` a `tensor.extract_slice` with Python's clamping, `pad` a
    `tensor.pad`, and `gather` a generic that reads the table with
    `tensor.extract` (indices clamped into range).

    Before:
    ```mlir
    %f = kiln.flatten %x : (tensor<?x64x7x7xf32>) -> tensor<?x3136xf32>
    ```
    After:
    ```mlir
    %f = tensor.collapse_shape %x [[0], [1, 2, 3]] : tensor<?x64x7x7xf32> into tensor<?x3136xf32>
    ```
  }];
  let dependentDialects = KilnLoweringDialects;
}

#endif // KILN_TRANSFORMS_PASSES_TD
