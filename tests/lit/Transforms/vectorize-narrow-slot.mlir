// RUN: kiln-opt %s --kiln-vectorize | FileCheck %s

// A narrow tile written into a slot of a larger tensor (one step of an
// LSTM over a static batch: [17, 3] into [17, 4, 3]) once made the transfer
// lowering and the unit-dimension patterns undo each other without end;
// the pass now finishes, and writes the tile with vectors.
// CHECK-LABEL: func @step_into_sequence
// CHECK: math.tanh {{.*}} : vector<
// CHECK: vector.transfer_write
func.func @step_into_sequence(%a: tensor<17x3xf32>, %seq: tensor<17x4x3xf32>,
                              %t: index) -> tensor<17x4x3xf32> {
  %e = tensor.empty() : tensor<17x3xf32>
  %h = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<17x3xf32>) outs(%e : tensor<17x3xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = math.tanh %x : f32
    linalg.yield %y : f32
  } -> tensor<17x3xf32>
  %r = tensor.insert_slice %h into %seq[0, %t, 0] [17, 1, 3] [1, 1, 1] : tensor<17x3xf32> into tensor<17x4x3xf32>
  return %r : tensor<17x4x3xf32>
}
