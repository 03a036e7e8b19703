// The example model verifies, round-trips, and specializes to a batch.
// RUN: kiln-opt %kiln_src/examples/lenet.mlir | kiln-opt | FileCheck %s --check-prefix=ROUNDTRIP
// RUN: kiln-opt %kiln_src/examples/lenet.mlir --kiln-specialize-batch=batch=7 | FileCheck %s --check-prefix=BATCH

// ROUNDTRIP: kiln.param @fc1.w : tensor<128x3136xf32> = he_normal
// ROUNDTRIP-LABEL: func.func @infer
// ROUNDTRIP: kiln.softmax
// ROUNDTRIP-LABEL: func.func @step
// ROUNDTRIP: kiln.softmax_cross_entropy

// BATCH-LABEL: func.func @infer
// BATCH-SAME: tensor<7x1x28x28xf32>
// BATCH-SAME: -> tensor<7x10xf32>
// BATCH: kiln.max_pool2d {{.*}} -> tensor<7x64x7x7xf32>
// BATCH: kiln.flatten {{.*}} -> tensor<7x3136xf32>
// BATCH-LABEL: func.func @step
// BATCH-SAME: tensor<7xi32> {kiln.input = "label"}
// BATCH: kiln.softmax_cross_entropy {{.*}} : (tensor<7x10xf32>, tensor<7xi32>) -> tensor<f32>
